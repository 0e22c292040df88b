//! The public side: campaign pages reached through tagged links, sign-up,
//! confirmation by mail and the person's own page. No account, no JavaScript.

pub mod campaign;
pub mod confirm;
pub mod domain_proof;
pub mod home;
pub mod manage;
pub mod privacy;
pub mod referral_cookie;
pub mod survey;
pub mod unsubscribe;

pub use declic_app::links::{
    base_url, manage_token, manage_token_ok, parse_duo_param, parse_manage_token,
};
pub use declic_app::texts;
