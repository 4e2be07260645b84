//! Guided checklists (scripts) a rep ticks through during a contact.

use serde::{Deserialize, Serialize};

use super::Id;

/// One step of a script; a required step left unticked makes wrap-up ask first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptStep {
    pub text: String,
    #[serde(default)]
    pub required: bool,
}

/// A guided checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Script {
    pub id: Id,
    pub name: String,
    pub steps: Vec<ScriptStep>,
    /// Words that suggest the script for a contact.
    pub keywords: Vec<String>,
}
