use leptos::prelude::*;

use crate::AppError;
use crate::api::charts::ChartView;
use crate::components::ErrorBox;

/// A chart drawn on the server: its SVG inline (so each bar is a link to
/// the Errors tab rows it counts), its description as the text
/// alternative, and the table of the same numbers one click away (a
/// `<details>`, so it works without JavaScript too).
#[component]
pub fn ChartFigure(chart: ChartView) -> impl IntoView {
    let ChartView {
        name,
        title,
        description,
        svg,
        columns,
        rows,
    } = chart;
    view! {
        <figure class="chart" id=format!("figure-{name}") data-chart=name.clone()>
            <figcaption><h2>{title}</h2></figcaption>
            <div class="chart-picture" inner_html=svg></div>
            <p class="chart-description">{description}</p>
            <details class="chart-table">
                <summary>"Show the numbers"</summary>
                <table>
                    <thead>
                        <tr>{columns.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}</tr>
                    </thead>
                    <tbody>
                        {rows
                            .into_iter()
                            .map(|row| {
                                let label = match row.href {
                                    Some(href) => view! { <a href=href>{row.label}</a> }.into_any(),
                                    None => view! { <span>{row.label}</span> }.into_any(),
                                };
                                view! {
                                    <tr>
                                        <th scope="row">{label}</th>
                                        {row.cells.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
}

/// A page's charts, or what went wrong fetching them.
#[component]
pub fn Charts(charts: Result<Vec<ChartView>, AppError>) -> impl IntoView {
    match charts {
        Ok(charts) => view! {
            <section class="charts" aria-label="Charts">
                {charts.into_iter().map(|chart| view! { <ChartFigure chart/> }).collect_view()}
            </section>
        }
        .into_any(),
        Err(error) => view! { <ErrorBox error/> }.into_any(),
    }
}
