//! Small builders shared by the engine tests.

use zongwu_assign::{Bed, Gender, Instance, Lifestyle, Room, Student, Weights};

pub fn student(id: &str, gender: Gender, class: &str) -> Student {
    Student {
        id: id.to_string(),
        name: id.to_string(),
        gender,
        college: "矿业工程学院".into(),
        major: "采矿工程".into(),
        class: class.to_string(),
        province: "江苏".into(),
        needs_accessible: false,
        lifestyle: Lifestyle::default(),
        requests: Vec::new(),
        avoid: Vec::new(),
    }
}

pub fn room(id: &str, floor: i32, gender: Gender, beds: usize, accessible: bool) -> Room {
    Room {
        id: id.to_string(),
        area: "桃园".into(),
        building: "桃园1号楼".into(),
        floor,
        gender,
        accessible,
        beds: (1..=beds).map(|k| Bed { id: format!("{id}-{k}"), reserved: false, out_of_service: false }).collect(),
    }
}

pub fn instance(students: Vec<Student>, rooms: Vec<Room>) -> Instance {
    Instance { students, rooms, pins: Vec::new(), weights: Weights::default() }
}
