//! `/imports`: upload a file from an MTA or ESP, and follow the imports
//! (from this page and from `bouncedesk import`) as they run.

use bounce::intake::{ImportRun, ImportState};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use crate::api;
use crate::components::{ErrorBox, ForRole};
use crate::{format, links};
use bounce::account::Role;

/// The formats offered in the form, by the names the importer takes, with
/// what a marketer would call them (Maildir, a directory, is for the
/// command line only).
const FORMATS: [(&str, &str); 18] = [
    ("auto", "Tell from the file"),
    ("postfix", "Postfix mail log"),
    ("exim", "Exim main log"),
    ("mailerq", "MailerQ results (JSON)"),
    ("powermta", "PowerMTA accounting file (CSV)"),
    ("kumomta", "KumoMTA log (JSON)"),
    ("sendgrid", "SendGrid events"),
    ("ses", "Amazon SES notifications"),
    ("postmark", "Postmark webhooks"),
    ("mailgun", "Mailgun events"),
    ("sparkpost", "SparkPost events"),
    ("mandrill", "Mandrill events"),
    ("brevo", "Brevo events"),
    ("mailjet", "Mailjet events"),
    ("csv", "CSV with a header line"),
    ("json", "bouncedesk JSON events"),
    ("eml", "One bounce message (.eml)"),
    ("mbox", "Mailbox of bounces (mbox)"),
];

/// `/imports`
#[component]
pub fn ImportsPage() -> impl IntoView {
    let imports = Resource::new(|| (), |_| api::list_imports());
    let campaigns = Resource::new(|| (), |_| api::list_campaigns());
    view! {
        <Title text="Import results"/>
        <h1>"Import results"</h1>
        <p class="meta">
            "A log from your mail server or an export from your email service: bouncedesk reads it, "
            "classifies every failure and links it to its campaign. Importing a file again stores nothing twice."
        </p>
        <ForRole needed=Role::Marketer>
        <form class="filters upload" method="post" action="/imports/upload" enctype="multipart/form-data">
            <label>"File" <input type="file" name="file" required/></label>
            <label>
                "Format"
                <select name="format">
                    {FORMATS
                        .iter()
                        .map(|(id, label)| view! { <option value=*id>{*label}</option> })
                        .collect_view()}
                </select>
            </label>
            <label>
                "Campaign"
                <select name="campaign">
                    <option value="">"As the results say"</option>
                    <Suspense>
                        {move || Suspend::new(async move {
                            campaigns.await.ok().map(|list| list
                                .into_iter()
                                .map(|c| view! { <option value=c.id.to_string()>{c.name}</option> })
                                .collect_view())
                        })}
                    </Suspense>
                </select>
            </label>
            <div class="actions"><button type="submit">"Import"</button></div>
        </form>
        </ForRole>
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match imports.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty">"Nothing imported yet."</p> }.into_any(),
                    Ok(list) => view! { <ImportTable list/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ImportTable(list: Vec<ImportRun>) -> impl IntoView {
    // While one runs, the page shows it moving by loading itself again
    // (no script needed).
    let running = list.iter().any(|i| i.state == ImportState::Running);
    view! {
        {running.then(|| view! { <Meta http_equiv="refresh" content="2"/> })}
        <table class="imports">
            <thead>
                <tr>
                    <th scope="col">"File"</th>
                    <th scope="col">"Started"</th>
                    <th scope="col">"Progress"</th>
                    <th scope="col" class="num">"Stored"</th>
                    <th scope="col" class="num">"Already there"</th>
                    <th scope="col" class="num">"No campaign"</th>
                    <th scope="col" class="num">"Not results"</th>
                    <th scope="col" class="num">"Rejected"</th>
                </tr>
            </thead>
            <tbody>{list.into_iter().map(|run| view! { <ImportRow run/> }).collect_view()}</tbody>
        </table>
    }
}

#[component]
fn ImportRow(run: ImportRun) -> impl IntoView {
    let fraction = run.fraction();
    let state = run.state.as_str();
    let progress = match (run.state, fraction) {
        (ImportState::Running, Some(f)) => view! {
            <progress max="100" value=format!("{:.0}", f * 100.0) aria-label="Import progress">{format::percent(f)}</progress>
            " " {format::percent(f)}
        }
        .into_any(),
        (ImportState::Running, None) => view! { <progress aria-label="Import progress">"running"</progress> }.into_any(),
        (ImportState::Done, _) => view! { "done" }.into_any(),
        (ImportState::Failed, _) => view! { "failed" }.into_any(),
    };
    let unlinked = run.unlinked;
    view! {
        <tr class="import-row" data-state=state>
            <td class="name">
                {run.name}
                <div class="sub">{run.format}</div>
                {run.error.map(|e| view! { <div class="error">{e}</div> })}
                {(!run.rejects.is_empty()).then(|| view! {
                    <details>
                        <summary>"Rejected lines"</summary>
                        <ul>{run.rejects.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
                    </details>
                })}
            </td>
            <td>{format::minute(run.started_at)}</td>
            <td class="progress">{progress}</td>
            <td class="num stored">{format::count(run.stored)}</td>
            <td class="num">{format::count(run.duplicates)}</td>
            <td class="num">
                {if unlinked > 0 {
                    view! { <a href=links::unlinked(None)>{format::count(unlinked)}</a> }.into_any()
                } else {
                    view! { "0" }.into_any()
                }}
            </td>
            <td class="num">{format::count(run.other)}</td>
            <td class="num">{format::count(run.rejected)}</td>
        </tr>
    }
}
