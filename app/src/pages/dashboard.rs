use leptos::prelude::*;
use leptos_meta::Title;

use crate::api;
use crate::components::Charts;

/// Across campaigns: bounce, hard-bounce and complaint rates against the
/// levels providers act on, and the domains whose failure rate moved.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let charts = Resource::new(|| (), |_| api::charts::dashboard_charts());
    view! {
        <Title text="Dashboard"/>
        <h1>"Dashboard"</h1>
        <p class="lead">
            "Each campaign's rates against the levels at which mailbox providers and sending services start to act. "
            "Click a point or a bar for the failures behind it."
        </p>
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move { view! { <Charts charts=charts.await/> } })}
        </Suspense>
    }
}
