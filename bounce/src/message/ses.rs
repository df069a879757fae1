//! Amazon SES notifications (JSON, often delivered by e-mail through SNS):
//! bounces, complaints and deliveries. The same JSON arrives by webhook.

use serde_json::Value;

use super::drafts::Draft;
use crate::classifier::MessageKind;

/// Records from an SES notification in `text`, if it holds one.
pub(crate) fn drafts(text: &str) -> Option<Vec<Draft>> {
    let start = text.find('{')?;
    // Mail systems break long lines; SNS mail shows the breaks as "!\n ".
    let json = text[start..].replace("!\n ", "").replace("!\r\n ", "");
    let end = json.rfind('}')?;
    let mut value: Value = serde_json::from_str(&json[..=end]).ok()?;
    if let Some(inner) = value.get("Message").and_then(Value::as_str) {
        value = serde_json::from_str(inner).ok()?;
    }
    let kind = value
        .get("notificationType")
        .or_else(|| value.get("eventType"))?
        .as_str()?;
    let list = |section: &str, field: &str| -> Vec<Value> {
        value
            .get(section)
            .and_then(|s| s.get(field))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let text_of = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    let drafts = match kind {
        "Bounce" => list("bounce", "bouncedRecipients")
            .iter()
            .filter_map(|r| {
                let diagnostic = text_of(r, "diagnosticCode").unwrap_or_default();
                Some(Draft {
                    action: text_of(r, "action"),
                    status_field: text_of(r, "status").and_then(|s| s.parse().ok()),
                    ..Draft::new(
                        text_of(r, "emailAddress")?.to_lowercase(),
                        MessageKind::Failure,
                        diagnostic,
                    )
                })
            })
            .collect(),
        "Complaint" => {
            let feedback_type = value.get("complaint").and_then(|c| text_of(c, "complaintFeedbackType"));
            list("complaint", "complainedRecipients")
                .iter()
                .filter_map(|r| {
                    Some(Draft {
                        feedback_type: feedback_type.clone(),
                        ..Draft::new(
                            text_of(r, "emailAddress")?.to_lowercase(),
                            MessageKind::Feedback,
                            String::new(),
                        )
                    })
                })
                .collect()
        }
        "Delivery" => {
            let response = value
                .get("delivery")
                .and_then(|d| text_of(d, "smtpResponse"))
                .unwrap_or_default();
            list("delivery", "recipients")
                .iter()
                .filter_map(|r| {
                    Some(Draft {
                        action: Some("delivered".into()),
                        ..Draft::new(r.as_str()?.to_lowercase(), MessageKind::Delivered, response.clone())
                    })
                })
                .collect()
        }
        _ => return None,
    };
    Some(drafts)
}
