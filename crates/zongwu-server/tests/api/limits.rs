//! Issue #8, limits across instances: real `zongwu-server` processes on one PostgreSQL database
//! limit as one. Each scenario runs once against one process and once with its requests spread
//! round-robin over two, and must end the same: failed logins lock an account, then an address,
//! at the configured counts, and the right password is refused while locked, on either process;
//! the public API's limits per student number and per address hold likewise, also against a
//! burst of concurrent requests.

use crate::helpers::{decode, ServerProcess, ADMIN_PASSWORD};
use crate::public::{factor, fixture_plan};
use reqwest::StatusCode;
use serde_json::json;
use zongwu_proto::api::{ErrorBody, ErrorCode, LoginResponse};

const PER_ACCOUNT: usize = 5;
const PER_ADDRESS: usize = 8;

/// `n` server processes on one fresh PostgreSQL database, started one after the other (the
/// first creates the bootstrap admin).
async fn servers(n: usize, env: &[(&str, &str)]) -> Vec<ServerProcess> {
    let url = crate::pg::fresh_database().await;
    let mut servers = Vec::new();
    for _ in 0..n {
        servers.push(ServerProcess::spawn(url.clone(), env).await);
    }
    servers
}

async fn login(
    http: &reqwest::Client,
    server: &ServerProcess,
    login: &str,
    password: &str,
) -> Result<LoginResponse, (StatusCode, ErrorBody)> {
    let body = json!({"login": login, "password": password, "device_id": "limits-device"});
    decode(http.post(server.url("/api/v1/auth/login")).json(&body).send().await.expect("login request")).await
}

/// Wrong passwords, the `i`-th for `login_of(i)` on server `i % n`, until one is answered 429
/// (with the lock-out's code); how many failed before it.
async fn failures_until_locked(http: &reqwest::Client, servers: &[ServerProcess], login_of: impl Fn(usize) -> String) -> usize {
    for i in 0..100 {
        match login(http, &servers[i % servers.len()], &login_of(i), "a-wrong-guess").await {
            Err((StatusCode::UNAUTHORIZED, _)) => {}
            Err((StatusCode::TOO_MANY_REQUESTS, body)) => {
                assert_eq!(body.code, ErrorCode::TooManyRequests, "a lock-out answers with its own code");
                return i;
            }
            other => panic!("a wrong password is 401 or, once locked, 429: {other:?}"),
        }
    }
    panic!("100 failed logins and no lock-out");
}

/// Failed logins through `n` processes: how many lock the admin's account, then how many more
/// lock the address (every request comes from 127.0.0.1), with the refusals checked on every
/// process.
async fn lockout_counts(n: usize) -> (usize, usize) {
    let per_address = PER_ADDRESS.to_string();
    let servers = servers(n, &[("ZONGWU_LOGIN_FAILURES_PER_ADDRESS", per_address.as_str())]).await;
    let http = reqwest::Client::new();
    let admin = login(&http, &servers[0], "admin", ADMIN_PASSWORD).await.expect("the admin logs in").token;
    let resp = http
        .post(servers[0].url("/api/v1/users"))
        .bearer_auth(&admin)
        .json(&json!({"login": "office1", "password": "office1-password", "name": "office1", "role": "office"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED, "the admin creates a second account");

    let account = failures_until_locked(&http, &servers, |_| "admin".into()).await;
    for (i, server) in servers.iter().enumerate() {
        let (status, body) = login(&http, server, "admin", ADMIN_PASSWORD).await.unwrap_err();
        assert_eq!(
            (status, body.code),
            (StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyRequests),
            "while the account is locked even the right password is refused, on process {i} of {n}"
        );
    }
    let address = failures_until_locked(&http, &servers, |i| format!("nobody-{i}")).await;
    for (i, server) in servers.iter().enumerate() {
        let (status, body) = login(&http, server, "office1", "office1-password").await.unwrap_err();
        assert_eq!(
            (status, body.code),
            (StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyRequests),
            "while the address is locked an account without failures is refused too, on process {i} of {n}"
        );
    }
    (account, address)
}

/// Brute-force logins spread across two server processes on one PostgreSQL are limited as one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_processes_on_one_postgres_limit_logins_as_one() {
    let one = lockout_counts(1).await;
    assert_eq!(
        one,
        (PER_ACCOUNT, PER_ADDRESS - PER_ACCOUNT),
        "one process locks the account after its 5 failures, the address after 8 in all"
    );
    let two = lockout_counts(2).await;
    assert_eq!(two, one, "failures spread over two processes lock out at the same counts as on one");
}

/// Public requests through `n` processes: the answers of a fixed sequence (3 per student, 5 per
/// address), then how many of a concurrent burst for one student get through.
async fn public_answers(n: usize) -> (Vec<StatusCode>, usize) {
    let servers = servers(
        n,
        &[
            ("ZONGWU_PUBLIC_REQUESTS_PER_STUDENT", "3"),
            ("ZONGWU_PUBLIC_REQUESTS_PER_ADDRESS", "5"),
            ("ZONGWU_PUBLIC_CLIENT_IP_HEADER", "x-real-ip"),
        ],
    )
    .await;
    let http = reqwest::Client::new();
    let admin = login(&http, &servers[0], "admin", ADMIN_PASSWORD).await.expect("the admin logs in").token;
    let resp = http
        .put(servers[0].url("/api/v1/housing/plans/plan-2026"))
        .bearer_auth(&admin)
        .json(&fixture_plan(true))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "the plan is published: {}", resp.status());

    let ask = |i: usize, no: &str, addr: &str, second_factor: String| {
        http.post(servers[i % servers.len()].url("/api/v1/public/room"))
            .header("x-real-ip", addr)
            .json(&json!({"student_no": no, "second_factor": second_factor}))
            .send()
    };
    // The student 2026001 three times, then from another address; then guesses from one
    // address, the right factor last.
    let sequence = [
        ("2026001", "10.0.0.1", true),
        ("2026001", "10.0.0.1", true),
        ("2026001", "10.0.0.1", true),
        ("2026001", "10.0.0.2", true),
        ("2026002", "10.0.0.3", false),
        ("2026003", "10.0.0.3", false),
        ("2026003", "10.0.0.3", false),
        ("2026005", "10.0.0.3", false),
        ("2026005", "10.0.0.3", false),
        ("2026004", "10.0.0.3", true),
        ("2026004", "10.0.0.4", true),
    ];
    let mut answers = Vec::new();
    for (i, (no, addr, right)) in sequence.into_iter().enumerate() {
        let second_factor = if right { factor(no) } else { "000000".into() };
        answers.push(ask(i, no, addr, second_factor).await.unwrap().status());
    }

    // 16 requests for one student at once, each from its own address, spread over the processes.
    let burst: Vec<_> = (0..16)
        .map(|i| {
            let request = http
                .post(servers[i % servers.len()].url("/api/v1/public/room"))
                .header("x-real-ip", format!("10.1.0.{i}"))
                .json(&json!({"student_no": "2026006", "second_factor": factor("2026006")}));
            tokio::spawn(request.send())
        })
        .collect();
    let mut served = 0;
    for request in burst {
        match request.await.unwrap().unwrap().status() {
            StatusCode::OK => served += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("a burst request is served or refused, not {other}"),
        }
    }
    (answers, served)
}

/// The public API's limits hold across two server processes on one PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_processes_on_one_postgres_limit_public_requests_as_one() {
    use StatusCode as S;
    let one = public_answers(1).await;
    let expected = vec![S::OK, S::OK, S::OK, S::TOO_MANY_REQUESTS, S::NOT_FOUND, S::NOT_FOUND, S::NOT_FOUND, S::NOT_FOUND];
    let expected = [expected, vec![S::NOT_FOUND, S::TOO_MANY_REQUESTS, S::OK]].concat();
    assert_eq!(one.0, expected, "one process: a student's 4th request and an address's 6th are refused");
    assert_eq!(one.1, 3, "one process serves 3 of a burst of 16 requests for one student");
    let two = public_answers(2).await;
    assert_eq!(two, one, "requests spread over two processes are limited as on one, bursts included");
}
