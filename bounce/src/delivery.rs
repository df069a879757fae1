//! A delivery result as any source reports it (an MTA log line, a webhook
//! event, a CSV row, a bounce message), before and after classification.
//! Every importer produces [`DeliveryResult`]s; [`classify`] turns each
//! into a [`Classified`] with the classifier's verdict, which the store
//! keeps through one ingest path whatever the source.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{EmailAddress, EnhancedStatus, Outcome, ReplyCode, Stage};

/// What a result says happened to one message for one recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultKind {
    /// The receiving server accepted the message.
    Delivered,
    /// An attempt failed and will be retried (a deferral).
    Deferred,
    /// Delivery ended in failure: a refusal, a bounce, retries given up.
    Failed,
    /// The recipient reported the message as spam.
    Complaint,
}

impl ResultKind {
    /// Whether this result ends the send (a deferral does not).
    pub const fn is_final(self) -> bool {
        !matches!(self, ResultKind::Deferred)
    }
}

/// One result from a source, parsed at the edge.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryResult {
    pub recipient: EmailAddress,
    pub at: DateTime<Utc>,
    pub kind: ResultKind,
    /// Where delivery stopped, when the source says (the SMTP command a
    /// reply answered, a connect or DNS failure).
    pub stage: Option<Stage>,
    pub reply_code: Option<ReplyCode>,
    pub status: Option<EnhancedStatus>,
    /// The remote server's own words, as received.
    pub text: String,
    pub remote_mta: Option<String>,
    /// The campaign, when the source names it by bouncedesk's id.
    pub campaign_id: Option<i64>,
    /// The campaign as the sending system knows it (an ESP tag or
    /// category, a campaign header that is not a bouncedesk id): linked to
    /// the campaign whose `tag` it is.
    pub campaign_tag: Option<String>,
    /// The Message-ID of the message this result is about, without angle
    /// brackets: links the result to the send that carried it.
    pub message_id: Option<String>,
    /// The source (`postfix`, `webhook:sendgrid`, ...).
    pub source: String,
    /// The source's own key for this result: importing it again is a no-op.
    pub source_event_id: String,
}

/// A result with the classifier's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Classified {
    pub result: DeliveryResult,
    pub stage: Stage,
    pub outcome: Outcome,
    pub class: crate::BounceClass,
    pub reason: Option<crate::Reason>,
}

/// Classifies a result: failures and deferrals by the classifier, over
/// the codes and the remote text; deliveries and complaints by what they
/// are.
#[cfg(feature = "classifier")]
pub fn classify(result: DeliveryResult) -> Classified {
    use crate::{BounceClass, Evidence, MessageKind, Reason};

    let (stage, outcome, class, reason) = match result.kind {
        ResultKind::Delivered => (
            result.stage.unwrap_or(Stage::Data),
            Outcome::Accepted,
            BounceClass::None,
            Some(Reason::Delivered),
        ),
        ResultKind::Complaint => (
            Stage::AfterDelivery,
            Outcome::Accepted,
            BounceClass::None,
            Some(Reason::Feedback),
        ),
        ResultKind::Deferred | ResultKind::Failed => {
            let stage = result.stage.unwrap_or(Stage::AfterDelivery);
            let verdict = crate::classify(&Evidence {
                kind: MessageKind::Failure,
                stage: Some(stage),
                outcome: Some(Outcome::Error),
                reply_code: result.reply_code,
                status: result.status,
                text: &result.text,
                delayed: result.kind == ResultKind::Deferred,
                remote_host: result.remote_mta.as_deref(),
                ..Evidence::default()
            });
            (stage, Outcome::Error, verdict.class, Some(verdict.reason))
        }
    };
    Classified {
        result,
        stage,
        outcome,
        class,
        reason,
    }
}

#[cfg(all(test, feature = "classifier"))]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::{BounceClass, Reason};

    fn result(kind: ResultKind, text: &str) -> DeliveryResult {
        DeliveryResult {
            recipient: "jan@ziggo.nl".parse().expect("address"),
            at: Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).single().expect("valid"),
            kind,
            stage: Some(Stage::RcptTo),
            reply_code: ReplyCode::leading(text),
            status: EnhancedStatus::find_in(text),
            text: text.into(),
            remote_mta: Some("mx.ziggo.nl".into()),
            campaign_id: None,
            campaign_tag: None,
            message_id: None,
            source: "test".into(),
            source_event_id: "1".into(),
        }
    }

    #[test]
    fn failures_are_classified_from_their_codes_and_words() {
        let failed = classify(result(
            ResultKind::Failed,
            "550 5.1.1 <jan@ziggo.nl>: Recipient address rejected: User unknown",
        ));
        let deferred = classify(result(ResultKind::Deferred, "452 4.2.2 Mailbox vol / mailbox full"));

        assert_eq!(
            (failed.class, failed.reason),
            (BounceClass::Hard, Some(Reason::UserUnknown))
        );
        assert_eq!(failed.outcome, Outcome::Error);
        assert_eq!(deferred.class, BounceClass::Soft);
        assert!(!ResultKind::Deferred.is_final());
    }

    #[test]
    fn deliveries_and_complaints_are_not_failures() {
        let delivered = classify(result(ResultKind::Delivered, "250 2.0.0 Ok: queued as 4F3A"));
        let complaint = classify(result(ResultKind::Complaint, ""));

        assert_eq!(
            (delivered.class, delivered.outcome),
            (BounceClass::None, Outcome::Accepted)
        );
        assert_eq!(complaint.reason, Some(Reason::Feedback));
        assert_eq!(complaint.class, BounceClass::None);
    }
}
