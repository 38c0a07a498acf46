//! The app's pages: [`Page`] owns every route path and title, so links, routes and the split
//! points (`lazy.rs`) cannot disagree.

use phaseplan_model::access::Action;

use crate::session::Session;

/// Every page of the app, in navigation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Overview,
    Scenario,
    Costs,
    Capacity,
    Decision,
    Bundles,
    Live,
    Operations,
    Scenarios,
    Compare,
    Admin,
}

impl Page {
    pub const ALL: [Page; 11] = [
        Page::Overview,
        Page::Scenario,
        Page::Costs,
        Page::Capacity,
        Page::Decision,
        Page::Bundles,
        Page::Live,
        Page::Operations,
        Page::Scenarios,
        Page::Compare,
        Page::Admin,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Page::Overview => "/",
            Page::Scenario => "/scenario",
            Page::Costs => "/costs",
            Page::Capacity => "/capacity",
            Page::Decision => "/decision",
            Page::Bundles => "/bundles",
            Page::Live => "/live",
            Page::Operations => "/operations",
            Page::Scenarios => "/scenarios",
            Page::Compare => "/compare",
            Page::Admin => "/admin",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Page::Overview => "Overview",
            Page::Scenario => "Scenario",
            Page::Costs => "Costs",
            Page::Capacity => "Capacity",
            Page::Decision => "Decision",
            Page::Bundles => "Bundles",
            Page::Live => "Live",
            Page::Operations => "Operations",
            // "Library", not "Scenarios": beside "Scenario" in the navigation one letter would be
            // all that told them apart.
            Page::Scenarios => "Library",
            Page::Compare => "Compare",
            Page::Admin => "Admin",
        }
    }

    /// Whether the navigation offers this page. Tracked. The admin page is offered to admins of
    /// a server with sign-in; without sign-in everyone is the local admin, and the navigation
    /// stays as it was (the page still answers at its address).
    pub fn offered(self, session: &Session) -> bool {
        match self {
            Page::Admin => session.has_sign_in() && session.may(Action::Administer),
            _ => true,
        }
    }
}
