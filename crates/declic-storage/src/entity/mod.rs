//! sea-orm entities, one per table, generated-style and free of behaviour.
//! Behaviour lives in the service modules beside this one.

pub mod admin;
pub mod ambassador;
pub mod ambassador_token;
pub mod association;
pub mod audit_event;
pub mod campaign;
pub mod campaign_link;
pub mod campaign_mission;
pub mod campaign_step;
pub mod credential;
pub mod delivery;
pub mod dispatch;
pub mod employee;
pub mod link_visit;
pub mod message;
pub mod message_template;
pub mod mission;
pub mod mission_skill;
pub mod opt_out;
pub mod organization;
pub mod organization_domain;
pub mod organization_logo;
pub mod questionnaire;
pub mod referral_edge;
pub mod registration;
pub mod registration_choice;
pub mod relay_health;
pub mod share_back;
pub mod sign_in_throttle;
pub mod skill;
pub mod survey_invitation;
pub mod survey_response;
pub mod webhook;
