use leptos::prelude::*;

use crate::AppError;

/// A failed request, said plainly.
#[component]
pub fn ErrorBox(error: AppError) -> impl IntoView {
    let title = match &error {
        AppError::NotFound(_) => "Not found",
        AppError::BadRequest(_) => "That filter does not work",
        AppError::Forbidden(_) => "Not allowed",
        AppError::Internal => "Something went wrong",
        AppError::Transport(_) => "No connection",
    };
    view! {
        <div class="error-box" role="alert">
            <strong>{title}</strong>
            <p>{error.to_string()}</p>
        </div>
    }
}
