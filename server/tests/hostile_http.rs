//! Hostile requests found by trying them: each is answered plainly (a 4xx
//! naming the field, a redirect), never with a 500, and never executed.
//! The real router on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::{get, load_demo};
use store::store_test;

async fn first_campaign(store: &store::Store) -> i64 {
    load_demo(store).await;
    store.campaign_summaries().await.expect("summaries")[0].id
}

store_test!(a_nul_byte_in_a_search_is_a_clear_400_not_a_500, |store| {
    let id = first_campaign(&store).await;

    let (raw, raw_html) = get(&store, &format!("/campaigns/{id}/errors?q=ab%00cd")).await;
    let (twice, _) = get(&store, &format!("/campaigns/{id}/errors?q=ab%2500cd")).await;

    assert_eq!(raw, StatusCode::BAD_REQUEST, "{raw_html}");
    assert!(raw_html.contains("search"), "the message names the field");
    // `%2500` is the three characters `%00`: searched for as they are.
    assert_eq!(twice, StatusCode::OK);
});

store_test!(query_values_are_percent_decoded_once, |store| {
    let id = first_campaign(&store).await;

    let (status, html) = get(&store, &format!("/campaigns/{id}/errors?q=%2541bc")).await;

    assert_eq!(status, StatusCode::OK);
    // The search box shows what was searched for: the literal `%41bc`.
    let search = html
        .find("name=\"q\"")
        .map_or("", |at| &html[at.saturating_sub(200)..(at + 200).min(html.len())]);
    assert!(search.contains("value=\"%41bc\""), "{search}");
});

store_test!(a_trailing_slash_redirects_to_the_page_without_it, |store| {
    let id = first_campaign(&store).await;

    let (status, _) = get(&store, &format!("/campaigns/{id}/")).await;
    let (errors, _) = get(&store, &format!("/campaigns/{id}/errors/?q=x")).await;

    assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(errors, StatusCode::PERMANENT_REDIRECT);
});

fn page_request(uri: &str, host: &str) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::get(uri)
        .header("host", host)
        .body(axum::body::Body::empty())
        .expect("request")
}

store_test!(a_request_for_a_foreign_host_name_is_refused, |store| {
    // Arrange: the default settings of a server on 127.0.0.1:3000.
    let app = || common::app(&store);

    // Act: a DNS-rebinding page sends its own name; the operator's own
    // browser sends the address or localhost.
    let foreign = common::exchange(app(), page_request("/", "rebind.attacker.example:3000")).await;
    let own = common::exchange(app(), page_request("/readyz", "127.0.0.1:3000")).await;
    let local = common::exchange(app(), page_request("/readyz", "localhost:3000")).await;

    // Assert
    assert_eq!(foreign.status(), StatusCode::MISDIRECTED_REQUEST);
    assert_eq!(own.status(), StatusCode::OK);
    assert_eq!(local.status(), StatusCode::OK);
});

store_test!(
    pages_carry_a_csp_whose_nonce_is_on_the_hydration_scripts_and_are_not_stored,
    |store| {
        let id = first_campaign(&store).await;

        let response = common::exchange(
            common::app(&store),
            page_request(&format!("/campaigns/{id}/errors"), "localhost"),
        )
        .await;
        let headers = response.headers().clone();
        let (_, html) = common::text_of(response).await;

        let csp = headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .expect("a CSP header");
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a nonce in script-src");
        assert!(nonce.len() >= 16, "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        let scripts = html.matches("<script").count();
        assert!(scripts > 0);
        assert_eq!(
            html.matches(&format!("nonce=\"{nonce}\"")).count(),
            html.matches("<script").count(),
            "every inline script carries this response's nonce"
        );
        assert_eq!(
            headers.get("cache-control").and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
        assert_eq!(
            headers.get("x-content-type-options").and_then(|v| v.to_str().ok()),
            Some("nosniff")
        );

        // A second page gets a nonce of its own.
        let again = common::exchange(common::app(&store), page_request("/", "localhost")).await;
        let again_csp = again
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(!again_csp.contains(nonce));
    }
);

store_test!(the_timeouts_503_carries_the_security_headers_too, |store| {
    // Arrange: a timeout no page can meet. (The runtime's timer ticks in
    // milliseconds, so a page that renders within the first tick can still
    // beat it: the request is sent until one times out.)
    load_demo(&store).await;
    let addr = "127.0.0.1:3000".parse().expect("addr");
    let settings = server::HttpSettings {
        request_timeout: std::time::Duration::from_nanos(1),
        ..server::HttpSettings::local(addr)
    };
    let renders = settings.renders.clone();
    let app = server::router_with(store.clone(), server::leptos_options("target/site", addr), settings);
    let cookie = common::session_cookie(&store, bounce::account::Role::Viewer).await;

    // Act
    let mut timed_out = None;
    for _ in 0..20 {
        let mut request = page_request("/", "localhost:3000");
        request.headers_mut().insert("cookie", cookie.parse().expect("value"));
        let response = common::exchange(app.clone(), request).await;
        if response.status() == StatusCode::SERVICE_UNAVAILABLE {
            timed_out = Some(response);
            break;
        }
    }

    // Assert: the page answered 503 carries the headers; its render, left
    // behind, still runs to its end (dropped half-way, it could deadlock a
    // worker thread) and shutting down waits for it.
    let response = timed_out.expect("a request timed out");
    assert!(renders.finished(std::time::Duration::from_secs(20)).await);
    assert_eq!(renders.running(), 0);
    for name in [
        "content-security-policy",
        "x-frame-options",
        "cache-control",
        "x-content-type-options",
    ] {
        assert!(response.headers().contains_key(name), "{name} missing on the 503");
    }
});

/// Markup a stranger can put into a bounce text, a campaign's name or
/// subject, or a raw message; none of it may reach a page as markup.
const PAYLOADS: [&str; 4] = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "</title><script>alert(3)</script>",
    "<svg/onload=alert(4)>",
];

/// The payloads found unescaped in `html`.
fn live_markup(html: &str) -> Vec<&'static str> {
    PAYLOADS.into_iter().filter(|p| html.contains(p)).collect()
}

store_test!(
    hostile_text_from_bounces_and_campaigns_is_shown_as_text_everywhere,
    |store| {
        // Arrange: a campaign named and titled with markup, and a bounce whose
        // reply, subject and raw message carry more.
        let id = store
            .insert_campaign(&store::NewCampaign {
                name: PAYLOADS[2].into(),
                subject: PAYLOADS[1].into(),
                from_domain: "news.example.nl".into(),
                sent_at: chrono::Utc::now(),
            })
            .await
            .expect("campaign");
        let dir = tempfile::tempdir().expect("dir");
        let eml = dir.path().join("bounce.eml");
        std::fs::write(
        &eml,
        format!(
            "From: MAILER-DAEMON@mx.example.nl\r\nTo: news@news.example.nl\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\n\
             Message-ID: <b1@mx.example.nl>\r\nSubject: Undelivered {p0}\r\n\
             Content-Type: text/plain\r\n\r\n<jan@ziggo.nl>: host mx.ziggo.nl[192.0.2.8] said: 550 5.1.1 \
             <jan@ziggo.nl> {p0} {p1} {p3} unknown user (in reply to RCPT TO command)\r\n",
            p0 = PAYLOADS[0],
            p1 = PAYLOADS[1],
            p3 = PAYLOADS[3]
        ),
    )
    .expect("written");
        let opts = server::import::Options {
            format: server::import::Format::Eml,
            campaign: Some(id),
            year: 2026,
            columns: Vec::new(),
        };
        let mut report = server::import::ImportReport::default();
        server::import::import_path(&store, &eml, "bounce.eml", &opts, &mut report)
            .await
            .expect("imported");
        assert_eq!(report.stored, 1, "{report:?}");
        let event = store
            .error_page(id, &bounce::ErrorFilter::default(), bounce::PageRequest::first())
            .await
            .expect("errors")
            .rows[0]
            .id;

        // Act: every page that shows them.
        let mut pages = Vec::new();
        for uri in [
            "/".to_owned(),
            format!("/campaigns/{id}"),
            format!("/campaigns/{id}/errors"),
            format!("/campaigns/{id}/errors?q={}", "%3Cscript%3E"),
            format!("/campaigns/{id}/errors/{event}"),
            "/dashboard".to_owned(),
        ] {
            let (status, html) = get(&store, &uri).await;
            pages.push((uri, status, html));
        }

        // Assert
        for (uri, status, html) in pages {
            assert_eq!(status, StatusCode::OK, "{uri}");
            assert!(
                live_markup(&html).is_empty(),
                "{uri} shows {:?} as markup",
                live_markup(&html)
            );
            assert!(!html.contains("<title></title><script>"), "{uri}: the title was closed");
        }
    }
);

/// SQL a stranger might put into any field of a query string.
const INJECTIONS: [&str; 4] = [
    "' OR '1'='1",
    "1; DROP TABLE events; --",
    "%' UNION SELECT email FROM users --",
    "\\' OR 1=1 /*",
];

store_test!(sql_in_every_query_field_is_data_never_sql, |store| {
    // Arrange: every field of the Errors tab's query, and the suppression
    // list's search.
    let id = first_campaign(&store).await;
    let before = format!("{:?}", store.campaign_summaries().await.expect("summaries"));
    let fields = [
        "stage", "class", "reason", "category", "code", "domain", "q", "failed", "from", "to", "after", "before",
    ];
    let mut uris = Vec::new();
    for payload in INJECTIONS {
        let value: String = payload
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        for field in fields {
            uris.push(format!("/campaigns/{id}/errors?{field}={value}"));
        }
        uris.push(format!("/suppressions?q={value}"));
    }

    // Act
    let mut answers = Vec::new();
    for uri in &uris {
        answers.push((uri, get(&store, uri).await));
    }

    // Assert: each is answered as data (a page, or a 400 naming the field),
    // a text search finds no row for the trick, and nothing was changed.
    for (uri, (status, html)) in &answers {
        assert!(
            *status == StatusCode::OK || *status == StatusCode::BAD_REQUEST,
            "{uri}: {status}"
        );
        assert!(!html.contains("$argon2id"), "{uri} showed a password hash");
    }
    let tautology = answers
        .iter()
        .find(|(uri, _)| uri.ends_with("errors?q=%27%20OR%20%271%27%3D%271"))
        .map(|(_, (_, html))| html.clone())
        .expect("the tautology was searched");
    assert!(
        !tautology.contains("class=\"error-row"),
        "a search for a trick matched rows"
    );
    let after = format!("{:?}", store.campaign_summaries().await.expect("summaries"));
    assert_eq!(before, after);
});
