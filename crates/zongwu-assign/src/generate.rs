//! Deterministic intakes shaped like a mining-and-technology university, for tests, the benchmark
//! and the desktop demo.
//!
//! The shape matters more than the names: classes of about 30 inside majors inside colleges;
//! engineering majors mostly male; provinces weighted to the home province (江苏); about 3% needing
//! accessible rooms; about 15% in roommate requests, most of them mutual and formed the way
//! friends are (same class, same college, or the same home province); a few anti-requests; and
//! six dormitory areas of single-gender buildings with 4- and 6-bed rooms, about 8% more usable
//! beds than students, accessible rooms on the ground floors, a few beds reserved or out of
//! service. The admissions list comes in exam-number order (by province), not by class, as the
//! admissions office sends it. Same `(students, seed)`, same instance.

use crate::instance::{Bed, Gender, Instance, Lifestyle, Room, Student, Weights};

/// (major, class abbreviation, share of women).
type Major = (&'static str, &'static str, f64);

/// Colleges and their majors.
const COLLEGES: &[(&str, &[Major])] = &[
    ("矿业工程学院", &[("采矿工程", "采矿", 0.08), ("工业工程", "工业", 0.35), ("智能采矿工程", "智采", 0.1)]),
    ("安全工程学院", &[("安全工程", "安全", 0.25), ("消防工程", "消防", 0.2), ("应急技术与管理", "应急", 0.4)]),
    ("力学与土木工程学院", &[("土木工程", "土木", 0.2), ("工程力学", "力学", 0.2), ("建筑环境与能源应用工程", "建环", 0.3)]),
    ("机电工程学院", &[("机械工程", "机械", 0.12), ("机械电子工程", "机电", 0.15), ("智能制造工程", "智造", 0.15)]),
    (
        "信息与控制工程学院",
        &[
            ("电气工程及其自动化", "电气", 0.25),
            ("自动化", "自动", 0.22),
            ("电子信息工程", "电信", 0.3),
            ("通信工程", "通信", 0.3),
        ],
    ),
    ("资源与地球科学学院", &[("地质工程", "地质", 0.25), ("资源勘查工程", "资勘", 0.3)]),
    ("化工学院", &[("化学工程与工艺", "化工", 0.4), ("矿物加工工程", "矿加", 0.25), ("能源化学工程", "能化", 0.35)]),
    ("环境与测绘学院", &[("测绘工程", "测绘", 0.35), ("环境工程", "环境", 0.5), ("遥感科学与技术", "遥感", 0.4)]),
    ("计算机科学与技术学院", &[("计算机科学与技术", "计科", 0.25), ("软件工程", "软件", 0.3), ("人工智能", "智能", 0.25)]),
    ("管理学院", &[("工商管理", "工管", 0.6), ("会计学", "会计", 0.75), ("信息管理与信息系统", "信管", 0.5)]),
    ("材料与物理学院", &[("材料科学与工程", "材料", 0.35), ("应用物理学", "物理", 0.3)]),
    ("外国语言文化学院", &[("英语", "英语", 0.8)]),
];

/// Home province first; the weights are shares of the intake.
const PROVINCES: &[(&str, u32)] = &[
    ("江苏", 40),
    ("山东", 8),
    ("河南", 8),
    ("安徽", 7),
    ("河北", 5),
    ("山西", 4),
    ("四川", 4),
    ("湖北", 3),
    ("湖南", 3),
    ("江西", 3),
    ("浙江", 3),
    ("内蒙古", 2),
    ("贵州", 2),
    ("云南", 2),
    ("甘肃", 2),
    ("黑龙江", 1),
    ("辽宁", 1),
    ("新疆", 1),
    ("广西", 1),
];

/// (area, beds per room): three areas of 6-bed rooms, three of 4-bed rooms.
const AREAS: &[(&str, usize)] = &[("桃园", 6), ("松苑", 6), ("竹苑", 6), ("梅苑", 4), ("杏苑", 4), ("榴园", 4)];
const FLOORS: usize = 6;
const ROOMS_PER_FLOOR: usize = 20;
const CLASS_SIZE: usize = 30;
/// Usable beds per student.
const SLACK: f64 = 1.08;

const SURNAMES: &[&str] =
    &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "朱", "马", "胡", "郭", "何", "高", "林", "罗"];
const GIVEN: &[&str] =
    &["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚", "鑫", "宇", "浩", "婷"];

fn pick_weighted<'a>(rng: &mut fastrand::Rng, items: &'a [(&'a str, u32)]) -> &'a str {
    let total: u32 = items.iter().map(|i| i.1).sum();
    let mut x = rng.u32(..total);
    for (name, w) in items {
        if x < *w {
            return name;
        }
        x -= w;
    }
    items[0].0
}

fn lifestyle(rng: &mut fastrand::Rng, gender: Gender) -> Lifestyle {
    let answered = |rng: &mut fastrand::Rng| rng.u32(..100) < 85;
    // Roughly normal around 23:30 and 07:00, in half hours.
    let around = |rng: &mut fastrand::Rng, centre: i32, spread: i32| {
        let d: i32 = (0..3).map(|_| rng.i32(-spread..=spread)).sum::<i32>() / 2;
        (((centre + d * 30) % 1440 + 1440) % 1440) as u16
    };
    let scale = |rng: &mut fastrand::Rng| rng.u8(1..=5);
    Lifestyle {
        sleep_minutes: answered(rng).then(|| around(rng, 23 * 60 + 30, 3)),
        wake_minutes: answered(rng).then(|| around(rng, 7 * 60, 2)),
        smokes: answered(rng).then(|| rng.u32(..100) < if gender == Gender::Male { 6 } else { 1 }),
        noise_tolerance: answered(rng).then(|| scale(rng)),
        air_conditioning: answered(rng).then(|| scale(rng)),
        cleanliness: answered(rng).then(|| scale(rng)),
    }
}

/// An intake of `students` freshmen with rooms for them, the same for the same arguments.
pub fn instance(students: usize, seed: u64) -> Instance {
    let mut rng = fastrand::Rng::with_seed(seed ^ 0x7a6f_6e67_7775);
    // Majors sized by a random weight, then cut into classes of about 30.
    let majors: Vec<(&str, &str, &str, f64)> =
        COLLEGES.iter().flat_map(|(c, ms)| ms.iter().map(move |(m, abbr, f)| (*c, *m, *abbr, *f))).collect();
    let weights: Vec<u32> = majors.iter().map(|_| rng.u32(60..140)).collect();
    let total_w: u32 = weights.iter().sum();
    let mut out: Vec<Student> = Vec::with_capacity(students);
    let mut remaining = students;
    for (mi, (college, major, abbr, female)) in majors.iter().enumerate() {
        let size =
            if mi + 1 == majors.len() { remaining } else { (students * weights[mi] as usize / total_w as usize).min(remaining) };
        remaining -= size;
        let classes = size.div_ceil(CLASS_SIZE).max(1);
        for i in 0..size {
            let class_no = i % classes + 1;
            let seat = i / classes + 1;
            let gender = if rng.f64() < *female { Gender::Female } else { Gender::Male };
            let name = format!(
                "{}{}{}",
                SURNAMES[rng.usize(..SURNAMES.len())],
                GIVEN[rng.usize(..GIVEN.len())],
                if rng.bool() { GIVEN[rng.usize(..GIVEN.len())] } else { "" }
            );
            out.push(Student {
                id: format!("24{:02}{:02}{:02}", mi + 1, class_no, seat),
                name,
                gender,
                college: college.to_string(),
                major: major.to_string(),
                class: format!("{abbr}24{class_no:02}"),
                province: pick_weighted(&mut rng, PROVINCES).to_string(),
                needs_accessible: rng.u32(..1000) < 30,
                lifestyle: lifestyle(&mut rng, gender),
                requests: Vec::new(),
                avoid: Vec::new(),
            });
        }
    }
    add_requests(&mut rng, &mut out);

    // The admissions list order: by province (exam numbers are issued per province), shuffled within.
    let mut order: Vec<(usize, u64, usize)> = out
        .iter()
        .enumerate()
        .map(|(i, s)| (PROVINCES.iter().position(|p| p.0 == s.province).unwrap_or(0), rng.u64(..), i))
        .collect();
    order.sort_unstable();
    let students_in_order: Vec<Student> = order.iter().map(|&(_, _, i)| out[i].clone()).collect();

    let rooms = rooms_for(&mut rng, &students_in_order);
    Instance { students: students_in_order, rooms, pins: Vec::new(), weights: Weights::default() }
}

/// Request groups of 2 to 4 friends of one gender (most mutual), and a few anti-requests.
fn add_requests(rng: &mut fastrand::Rng, students: &mut [Student]) {
    let n = students.len();
    if n < 2 {
        return;
    }
    let mut in_group = vec![false; n];
    let target = n * 15 / 100;
    let mut grouped = 0;
    let mut attempts = 0;
    while grouped < target && attempts < n * 4 {
        attempts += 1;
        let s = rng.usize(..n);
        if in_group[s] {
            continue;
        }
        let size = match rng.u32(..100) {
            0..=74 => 2,
            75..=94 => 3,
            _ => 4,
        };
        let mut group = vec![s];
        for _ in 0..size * 20 {
            if group.len() == size {
                break;
            }
            let o = rng.usize(..n);
            let (a, b) = (&students[s], &students[o]);
            let kind = rng.u32(..100);
            let friends = if kind < 50 {
                a.class == b.class && a.major == b.major
            } else if kind < 80 {
                a.college == b.college
            } else {
                a.province == b.province
            };
            if !in_group[o] && !group.contains(&o) && b.gender == a.gender && friends {
                group.push(o);
            }
        }
        if group.len() < 2 {
            continue;
        }
        let mutual = rng.u32(..100) < 85;
        for &g in &group {
            in_group[g] = true;
        }
        grouped += group.len();
        if mutual {
            for &a in &group {
                for &b in &group {
                    if a != b {
                        let id = students[b].id.clone();
                        students[a].requests.push(id);
                    }
                }
            }
        } else {
            let id = students[group[1]].id.clone();
            students[group[0]].requests.push(id);
        }
    }
    // About 0.5% ask not to live with a classmate outside their request group.
    for _ in 0..n / 200 {
        let s = rng.usize(..n);
        let o = rng.usize(..n);
        if s != o
            && students[s].gender == students[o].gender
            && !students[s].requests.contains(&students[o].id)
            && !students[o].requests.contains(&students[s].id)
        {
            let id = students[o].id.clone();
            students[s].avoid.push(id);
        }
    }
}

/// Single-gender buildings across the six areas until each gender has its beds.
fn rooms_for(rng: &mut fastrand::Rng, students: &[Student]) -> Vec<Room> {
    let mut rooms = Vec::new();
    let mut building_no = vec![0usize; AREAS.len()];
    let mut area = 0;
    for gender in [Gender::Male, Gender::Female] {
        let count = students.iter().filter(|s| s.gender == gender).count();
        let needy = students.iter().filter(|s| s.gender == gender && s.needs_accessible).count();
        let mut beds_needed = (count as f64 * SLACK).ceil() as usize;
        // Accessible rooms: enough for the need plus half again, on ground floors.
        let mut accessible_needed = (needy * 3).div_ceil(2);
        while beds_needed > 0 {
            let (area_name, size) = AREAS[area % AREAS.len()];
            building_no[area % AREAS.len()] += 1;
            let building = format!("{area_name}{}号楼", building_no[area % AREAS.len()]);
            let code = format!("{area_name}{}", building_no[area % AREAS.len()]);
            area += 1;
            'floors: for floor in 1..=FLOORS {
                for no in 1..=ROOMS_PER_FLOOR {
                    if beds_needed == 0 {
                        break 'floors;
                    }
                    let accessible = floor == 1 && no <= 4 && accessible_needed > 0;
                    let id = format!("{code}-{floor}{no:02}");
                    let mut beds = Vec::with_capacity(size);
                    for k in 1..=size {
                        let roll = rng.u32(..1000);
                        let bed = Bed { id: format!("{id}-{k}"), reserved: roll < 10, out_of_service: (10..15).contains(&roll) };
                        if bed.usable() {
                            beds_needed = beds_needed.saturating_sub(1);
                            if accessible {
                                accessible_needed = accessible_needed.saturating_sub(1);
                            }
                        }
                        beds.push(bed);
                    }
                    rooms.push(Room {
                        id,
                        area: area_name.to_string(),
                        building: building.clone(),
                        floor: floor as i32,
                        gender,
                        accessible,
                        beds,
                    });
                }
            }
        }
    }
    rooms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_instance() {
        assert_eq!(instance(500, 3), instance(500, 3));
        assert_ne!(instance(500, 3), instance(500, 4), "a seed must change the intake");
    }

    #[test]
    fn shaped_like_the_brief() {
        let inst = instance(10_000, 1);
        let n = inst.students.len();
        assert_eq!(n, 10_000);
        let share = |f: &dyn Fn(&Student) -> bool| inst.students.iter().filter(|s| f(s)).count() as f64 / n as f64;
        let jiangsu = share(&|s| s.province == "江苏");
        assert!((0.3..0.5).contains(&jiangsu), "home province weighted: {jiangsu}");
        let needy = share(&|s| s.needs_accessible);
        assert!((0.02..0.04).contains(&needy), "about 3% accessibility needs: {needy}");
        let asking = share(&|s| !s.requests.is_empty());
        assert!((0.10..0.20).contains(&asking), "about 15% make requests: {asking}");
        let rooms = inst.rooms.len();
        assert!((1_800..2_600).contains(&rooms), "about 2,000 rooms for 10,000: {rooms}");
        let areas: std::collections::BTreeSet<&str> = inst.rooms.iter().map(|r| r.area.as_str()).collect();
        assert_eq!(areas.len(), 6, "six dormitory areas");
        let ids: std::collections::BTreeSet<&str> = inst.students.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids.len(), n, "student numbers are unique");
    }
}
