//! The public sign-up form: a form body, decoded as the server decodes it, then the mission
//! choices and the sign-up rules. Never a panic; an accepted sign-up is accepted again as
//! it came out (the rules are idempotent) and keeps only offered missions.
#![no_main]

use declic_directory::sign_up::{SignUpInput, check, parse_choices};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut fields: std::collections::HashMap<String, String> = Default::default();
    for (name, value) in form_urlencoded::parse(data) {
        fields.insert(name.into_owned(), value.into_owned());
    }
    let get = |name: &str| fields.get(name).map(String::as_str).unwrap_or("");
    let Ok(mission_ids) = parse_choices(&[get("choice_1"), get("choice_2"), get("choice_3")])
    else {
        return;
    };
    let domains = vec!["acme.fr".to_owned()];
    let offered = [1, 2, 3, 42];
    let input = SignUpInput {
        email: get("email"),
        first_name: get("first_name"),
        last_name: get("last_name"),
        mission_ids: &mission_ids,
        duo_email: get("duo_email"),
        consent: fields.contains_key("consent"),
    };
    if let Ok(done) = check(&input, &domains, &offered) {
        assert!(done.mission_ids.iter().all(|id| offered.contains(id)));
        let again = check(
            &SignUpInput {
                email: &done.email,
                first_name: &done.first_name,
                last_name: &done.last_name,
                mission_ids: &done.mission_ids,
                duo_email: done.duo_email.as_deref().unwrap_or(""),
                consent: true,
            },
            &domains,
            &offered,
        );
        assert_eq!(again.as_ref(), Ok(&done));
    }
});
