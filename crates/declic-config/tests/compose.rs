//! Keeps `docker-compose.yml` and `Dockerfile` honest, since Docker does not run
//! where the tests do: every `DECLIC__…` variable they set must name a key of
//! `config/default.toml` with a usable value, the published port must be the one
//! Declic listens on, and the SMTP and database settings must point at the
//! services of the compose file with their real ports and credentials.

use std::collections::BTreeMap;
use std::path::PathBuf;

use declic_config::{Config, DEFAULT_TOML, Environment, LoadOptions, MailTransport, SmtpTls, load};
use yaml_rust2::{Yaml, YamlLoader};

/// The port Mailpit's SMTP server listens on inside its container.
const MAILPIT_SMTP_PORT: u16 = 1025;
/// The port PostgreSQL listens on inside its container.
const POSTGRES_PORT: u16 = 5432;

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn read(name: &str) -> String {
    let path = root().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Fails the test with every problem found, one a line.
fn assert_no_problems(what: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{what}:\n  - {}",
        problems.join("\n  - ")
    );
}

// ---- docker-compose.yml ---------------------------------------------------------

fn compose() -> Yaml {
    let docs = YamlLoader::load_from_str(&read("docker-compose.yml"))
        .unwrap_or_else(|e| panic!("docker-compose.yml is not valid YAML: {e}"));
    docs.into_iter()
        .next()
        .expect("docker-compose.yml is empty")
}

fn service<'a>(doc: &'a Yaml, name: &str) -> &'a Yaml {
    let s = &doc["services"][name];
    assert!(
        s.as_hash().is_some(),
        "docker-compose.yml has no service `{name}` under `services:`"
    );
    s
}

fn scalar(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        Yaml::Null => Some(String::new()),
        _ => None,
    }
}

/// A service's `environment:`, in map or `KEY=value` list form.
fn environment(doc: &Yaml, name: &str) -> BTreeMap<String, String> {
    let env = &service(doc, name)["environment"];
    let mut out = BTreeMap::new();
    if let Some(map) = env.as_hash() {
        for (k, v) in map {
            let k = scalar(k).expect("environment names are scalars");
            let v = scalar(v).unwrap_or_else(|| {
                panic!("docker-compose.yml: service `{name}` sets {k} to a non-scalar value")
            });
            out.insert(k, v);
        }
    } else if let Some(list) = env.as_vec() {
        for item in list {
            let item = scalar(item).expect("environment entries are scalars");
            let (k, v) = item.split_once('=').unwrap_or((&item, ""));
            out.insert(k.to_owned(), v.to_owned());
        }
    }
    out
}

/// The container side of each entry of a service's `ports:`.
fn container_ports(doc: &Yaml, name: &str) -> Vec<u16> {
    let mut out = Vec::new();
    for entry in service(doc, name)["ports"].as_vec().into_iter().flatten() {
        let target = match entry {
            Yaml::Hash(_) => scalar(&entry["target"]),
            other => scalar(other).map(|s| {
                // [ip:][host:]container[/protocol]
                let s = s.split('/').next().unwrap_or_default().to_owned();
                s.rsplit(':').next().unwrap_or_default().to_owned()
            }),
        };
        match target.as_deref().map(str::parse::<u16>) {
            Some(Ok(port)) => out.push(port),
            _ => panic!(
                "docker-compose.yml: service `{name}` has a port entry {entry:?} whose container port cannot be read"
            ),
        }
    }
    out
}

fn image(doc: &Yaml, name: &str) -> String {
    scalar(&service(doc, name)["image"]).unwrap_or_default()
}

/// `${NAME:-default}` → `Some(default)`; `${NAME}`, `${NAME:?message}` → `None`
/// (known only when compose runs); plain text → itself.
fn interpolated(value: &str) -> Option<String> {
    if !value.contains('$') {
        return Some(value.to_owned());
    }
    let inner = value.strip_prefix("${")?.strip_suffix('}')?;
    let name_len = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    let operator = &inner[name_len..];
    operator
        .strip_prefix(":-")
        .or_else(|| operator.strip_prefix('-'))
        .map(str::to_owned)
}

// ---- Dockerfile -------------------------------------------------------------------

/// One instruction: keyword in capitals and its arguments, continuations joined.
#[derive(Debug, Clone)]
struct Instruction {
    keyword: String,
    args: String,
}

/// The Dockerfile's stages, each a list of instructions starting with its `FROM`.
fn dockerfile_stages() -> Vec<Vec<Instruction>> {
    let text = read("Dockerfile");
    let mut logical = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_empty()) {
            continue;
        }
        if let Some(head) = trimmed.strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
            continue;
        }
        current.push_str(trimmed);
        logical.push(std::mem::take(&mut current));
    }
    let mut stages: Vec<Vec<Instruction>> = Vec::new();
    for line in logical {
        let (keyword, args) = line.split_once(char::is_whitespace).unwrap_or((&line, ""));
        let ins = Instruction {
            keyword: keyword.to_uppercase(),
            args: args.trim().to_owned(),
        };
        if ins.keyword == "FROM" {
            stages.push(Vec::new());
        }
        stages
            .last_mut()
            .expect("the Dockerfile starts with FROM")
            .push(ins);
    }
    assert!(!stages.is_empty(), "the Dockerfile has no FROM");
    stages
}

/// Splits on whitespace, keeping double-quoted parts together (quotes removed).
fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in s.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                started = true;
            }
            c if c.is_whitespace() && !quoted => {
                if started {
                    out.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(word);
    }
    out
}

/// `ENV` pairs of a stage, in order.
fn env_of(stage: &[Instruction]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for ins in stage.iter().filter(|i| i.keyword == "ENV") {
        let ws = words(&ins.args);
        if ws.first().is_some_and(|w| w.contains('=')) {
            for w in ws {
                let (k, v) = w.split_once('=').unwrap_or((&w, ""));
                out.push((k.to_owned(), v.to_owned()));
            }
        } else if let Some((k, v)) = ins.args.split_once(char::is_whitespace) {
            // Legacy form: ENV KEY value with spaces
            out.push((k.to_owned(), v.trim().to_owned()));
        }
    }
    out
}

/// Arguments of the last instruction `keyword` (exec JSON form or shell form).
fn exec_form(stage: &[Instruction], keyword: &str) -> Option<Vec<String>> {
    let ins = stage.iter().rev().find(|i| i.keyword == keyword)?;
    Some(serde_json::from_str::<Vec<String>>(&ins.args).unwrap_or_else(|_| words(&ins.args)))
}

fn runtime_stage() -> Vec<Instruction> {
    dockerfile_stages()
        .pop()
        .expect("the Dockerfile has a stage")
}

// ---- configuration keys --------------------------------------------------------

fn defaults() -> toml::Table {
    toml::from_str(DEFAULT_TOML).expect("config/default.toml parses")
}

/// `DECLIC__MAIL__SMTP__HOST` → `mail.smtp.host`; `None` without the prefix.
fn key_of(var: &str) -> Option<String> {
    let rest = var.strip_prefix("DECLIC__")?;
    Some(
        rest.split("__")
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
            .join("."),
    )
}

fn default_value<'a>(defaults: &'a toml::Table, key: &str) -> Option<&'a toml::Value> {
    let mut parts = key.split('.');
    let mut value = defaults.get(parts.next()?)?;
    for part in parts {
        value = value.as_table()?.get(part)?;
    }
    Some(value)
}

fn port_of(addr: &str) -> Option<u16> {
    addr.rsplit_once(':')?.1.parse().ok()
}

/// Problems with one `DECLIC__…` variable: unknown key, or a value its key refuses.
/// `origin` says where it is set, for the message.
fn check_var(defaults: &toml::Table, origin: &str, var: &str, value: &str) -> Vec<String> {
    let Some(key) = key_of(var) else {
        return Vec::new();
    };
    let bad = |why: String| vec![format!("{origin}: {var}={value:?}: {why}")];
    let Some(default) = default_value(defaults, &key) else {
        return vec![format!(
            "{origin}: {var} maps to `{key}`, which is not a key of config/default.toml"
        )];
    };
    if default.is_table() {
        return vec![format!(
            "{origin}: {var} maps to `[{key}]`, a section of config/default.toml, not a key"
        )];
    }
    if key == "security.secret_key" {
        // A real key must not be written into the file: take it from the shell.
        if !value.starts_with("${") || !value.contains(":?") {
            return bad("the secret key must come from the shell as ${NAME:?message}, so that compose refuses to start without it".into());
        }
        return Vec::new();
    }
    let Some(value) = interpolated(value) else {
        return Vec::new();
    };
    let one_of = |allowed: &[&str]| {
        if allowed.contains(&value.as_str()) {
            Vec::new()
        } else {
            bad(format!("`{key}` takes one of {}", allowed.join("|")))
        }
    };
    match (key.as_str(), default) {
        ("environment", _) => one_of(&["development", "test", "production"]),
        ("mail.transport", _) => one_of(&["outbox", "smtp"]),
        ("mail.smtp.tls", _) => one_of(&["starttls", "tls", "none"]),
        ("log.format", _) => one_of(&["text", "json"]),
        ("server.public_url", _)
            if !(value.starts_with("http://") || value.starts_with("https://")) =>
        {
            bad(format!("`{key}` must start with http:// or https://"))
        }
        ("server.bind", _) if port_of(&value).is_none() => {
            bad(format!("`{key}` must be host:port"))
        }
        ("database.url", _)
            if !(value.is_empty()
                || ["postgres://", "postgresql://", "sqlite:"]
                    .iter()
                    .any(|p| value.starts_with(p))) =>
        {
            bad(format!("`{key}` must be empty, postgres://… or sqlite:…"))
        }
        (k, _) if k.ends_with("port") && value.parse::<u16>().is_err() => {
            bad(format!("`{key}` takes a port number (0-65535)"))
        }
        (_, toml::Value::Integer(_)) if value.parse::<u64>().is_err() => {
            bad(format!("`{key}` takes a whole number"))
        }
        (_, toml::Value::Boolean(_)) if !["true", "false"].contains(&value.as_str()) => {
            bad(format!("`{key}` takes true or false"))
        }
        _ => Vec::new(),
    }
}

// ---- the tests ----------------------------------------------------------------

#[test]
fn compose_has_the_declic_postgres_and_mailpit_services() {
    let doc = compose();
    for name in ["declic", "postgres", "mailpit"] {
        service(&doc, name);
    }
    assert!(
        image(&doc, "postgres").starts_with("postgres"),
        "docker-compose.yml: service `postgres` should run a postgres image"
    );
    assert!(
        image(&doc, "mailpit").starts_with("axllent/mailpit"),
        "docker-compose.yml: service `mailpit` should run axllent/mailpit"
    );
}

#[test]
fn compose_declic_variables_are_known_keys_with_usable_values() {
    let doc = compose();
    let defaults = defaults();
    let env = environment(&doc, "declic");
    assert!(
        env.keys().any(|k| k.starts_with("DECLIC__")),
        "docker-compose.yml: service `declic` sets no DECLIC__ variable"
    );
    let problems: Vec<String> = env
        .iter()
        .flat_map(|(k, v)| check_var(&defaults, "docker-compose.yml service `declic`", k, v))
        .collect();
    assert_no_problems(
        "docker-compose.yml disagrees with config/default.toml",
        &problems,
    );
}

#[test]
fn dockerfile_variables_are_known_keys_and_data_dir_is_the_volume() {
    let defaults = defaults();
    let mut problems = Vec::new();
    for (i, stage) in dockerfile_stages().iter().enumerate() {
        for (k, v) in env_of(stage) {
            problems.extend(check_var(
                &defaults,
                &format!("Dockerfile stage {}", i + 1),
                &k,
                &v,
            ));
        }
    }
    let runtime = runtime_stage();
    let env: BTreeMap<_, _> = env_of(&runtime).into_iter().collect();
    let volumes = exec_form(&runtime, "VOLUME").unwrap_or_default();
    match env.get("DECLIC__DATA_DIR") {
        None => problems.push("Dockerfile: the runtime stage does not set DECLIC__DATA_DIR".into()),
        Some(dir) if !volumes.contains(dir) => problems.push(format!(
            "Dockerfile: DECLIC__DATA_DIR={dir} but the runtime stage's VOLUME is {volumes:?}"
        )),
        Some(_) => {}
    }
    match exec_form(&runtime, "USER").and_then(|u| u.first().cloned()) {
        Some(user) if user != "root" && !user.starts_with('0') => {}
        other => problems.push(format!(
            "Dockerfile: the runtime stage must run as a non-root USER, found {other:?}"
        )),
    }
    if exec_form(&runtime, "ENTRYPOINT") != Some(vec!["declic".to_owned()]) {
        problems.push("Dockerfile: ENTRYPOINT should be [\"declic\"]".into());
    }
    assert_no_problems("Dockerfile disagrees with config/default.toml", &problems);

    // The compose service keeps that directory on a volume too.
    let doc = compose();
    let data_dir = env.get("DECLIC__DATA_DIR").cloned().unwrap_or_default();
    let declic_env = environment(&doc, "declic");
    let data_dir = declic_env
        .get("DECLIC__DATA_DIR")
        .cloned()
        .unwrap_or(data_dir);
    let mounted = service(&doc, "declic")["volumes"]
        .as_vec()
        .into_iter()
        .flatten()
        .filter_map(scalar)
        .any(|v| v.split(':').nth(1) == Some(data_dir.as_str()));
    assert!(
        mounted,
        "docker-compose.yml: service `declic` mounts no volume at its data directory {data_dir}"
    );
}

/// The address `declic` listens on in the container, and where that comes from:
/// `--bind` in the compose `command` or else the Dockerfile `CMD`, then
/// DECLIC__SERVER__BIND from compose, the Dockerfile, or config/default.toml.
fn effective_bind(doc: &Yaml) -> (String, String) {
    let runtime = runtime_stage();
    let command = &service(doc, "declic")["command"];
    let (args, from) = match command {
        Yaml::Array(list) => (
            list.iter().filter_map(scalar).collect(),
            "docker-compose.yml command",
        ),
        Yaml::String(s) => (words(s), "docker-compose.yml command"),
        _ => (
            exec_form(&runtime, "CMD").unwrap_or_default(),
            "Dockerfile CMD",
        ),
    };
    for (i, arg) in args.iter().enumerate() {
        if let Some(v) = arg.strip_prefix("--bind=") {
            return (v.to_owned(), format!("{from} --bind"));
        }
        if arg == "--bind"
            && let Some(v) = args.get(i + 1)
        {
            return (v.clone(), format!("{from} --bind"));
        }
    }
    if let Some(v) = environment(doc, "declic").get("DECLIC__SERVER__BIND") {
        return (v.clone(), "docker-compose.yml DECLIC__SERVER__BIND".into());
    }
    if let Some((_, v)) = env_of(&runtime)
        .into_iter()
        .rev()
        .find(|(k, _)| k == "DECLIC__SERVER__BIND")
    {
        return (v, "Dockerfile DECLIC__SERVER__BIND".into());
    }
    let bind = default_value(&defaults(), "server.bind")
        .and_then(toml::Value::as_str)
        .unwrap_or_default()
        .to_owned();
    (bind, "config/default.toml server.bind".into())
}

#[test]
fn published_port_is_the_port_declic_listens_on() {
    let doc = compose();
    let (bind, from) = effective_bind(&doc);
    let port = port_of(&bind).unwrap_or_else(|| panic!("{from} = {bind:?} is not host:port"));
    let mut problems = Vec::new();
    let host = bind.rsplit_once(':').map(|(h, _)| h).unwrap_or_default();
    if !["0.0.0.0", "[::]", "::"].contains(&host) {
        problems.push(format!(
            "{from} = {bind}: inside a container declic must listen on 0.0.0.0 to be reachable"
        ));
    }
    let published = container_ports(&doc, "declic");
    if !published.contains(&port) {
        problems.push(format!(
            "docker-compose.yml: service `declic` publishes container ports {published:?}, but declic listens on {port} ({from} = {bind})"
        ));
    }
    let runtime = runtime_stage();
    let exposed: Vec<u16> = exec_form(&runtime, "EXPOSE")
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.split('/').next()?.parse().ok())
        .collect();
    if !exposed.contains(&port) {
        problems.push(format!(
            "Dockerfile: EXPOSE {exposed:?} does not include {port} ({from} = {bind})"
        ));
    }
    // Every bind address the image carries agrees, whichever one wins.
    let image_binds = exec_form(&runtime, "CMD")
        .unwrap_or_default()
        .windows(2)
        .filter(|w| w[0] == "--bind")
        .map(|w| ("Dockerfile CMD --bind", w[1].clone()))
        .chain(
            env_of(&runtime)
                .into_iter()
                .filter(|(k, _)| k == "DECLIC__SERVER__BIND")
                .map(|(_, v)| ("Dockerfile DECLIC__SERVER__BIND", v)),
        )
        .collect::<Vec<_>>();
    for (what, addr) in image_binds {
        if port_of(&addr) != Some(port) {
            problems.push(format!(
                "{what} = {addr}, but declic listens on {port} ({from})"
            ));
        }
    }
    if let Some(check) = runtime.iter().find(|i| i.keyword == "HEALTHCHECK")
        && !check.args.contains(&format!(":{port}/"))
    {
        problems.push(format!(
            "Dockerfile: HEALTHCHECK does not call port {port}: {}",
            check.args
        ));
    }
    assert_no_problems(
        "the published port is not the one declic listens on",
        &problems,
    );
}

#[test]
fn smtp_settings_point_at_the_mailpit_service() {
    let doc = compose();
    let env = environment(&doc, "declic");
    let defaults = defaults();
    let host = env
        .get("DECLIC__MAIL__SMTP__HOST")
        .expect("docker-compose.yml: service `declic` does not set DECLIC__MAIL__SMTP__HOST");
    let mut problems = Vec::new();
    if env.get("DECLIC__MAIL__TRANSPORT").map(String::as_str) != Some("smtp") {
        problems.push(format!(
            "docker-compose.yml: DECLIC__MAIL__TRANSPORT={:?}, but it must be smtp for DECLIC__MAIL__SMTP__HOST to be used",
            env.get("DECLIC__MAIL__TRANSPORT")
        ));
    }
    if doc["services"][host.as_str()].as_hash().is_none() {
        problems.push(format!(
            "docker-compose.yml: DECLIC__MAIL__SMTP__HOST={host}, which is not a service of the file"
        ));
    } else if image(&doc, host).starts_with("axllent/mailpit") {
        let default_port = default_value(&defaults, "mail.smtp.port")
            .and_then(toml::Value::as_integer)
            .map(|p| p.to_string())
            .unwrap_or_default();
        let port = env
            .get("DECLIC__MAIL__SMTP__PORT")
            .cloned()
            .unwrap_or(default_port);
        if port != MAILPIT_SMTP_PORT.to_string() {
            problems.push(format!(
                "docker-compose.yml: DECLIC__MAIL__SMTP__PORT={port}, but Mailpit's SMTP listens on {MAILPIT_SMTP_PORT}"
            ));
        }
        let tls = env.get("DECLIC__MAIL__SMTP__TLS").map(String::as_str);
        if tls != Some("none") {
            problems.push(format!(
                "docker-compose.yml: DECLIC__MAIL__SMTP__TLS={tls:?}, but Mailpit offers no TLS by default: use none"
            ));
        }
        let published = container_ports(&doc, host);
        if !published.contains(&MAILPIT_SMTP_PORT) {
            problems.push(format!(
                "docker-compose.yml: service `{host}` does not publish its SMTP port {MAILPIT_SMTP_PORT} (ports {published:?})"
            ));
        }
    }
    assert_no_problems("the SMTP settings do not reach Mailpit", &problems);
}

#[test]
fn database_url_matches_the_postgres_service() {
    let doc = compose();
    let env = environment(&doc, "declic");
    let url = env
        .get("DECLIC__DATABASE__URL")
        .expect("docker-compose.yml: service `declic` does not set DECLIC__DATABASE__URL");
    let rest = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
        .unwrap_or_else(|| panic!("DECLIC__DATABASE__URL={url} is not a postgres:// URL"));
    let (creds, rest) = rest
        .rsplit_once('@')
        .unwrap_or_else(|| panic!("DECLIC__DATABASE__URL={url} has no user:password@"));
    let (user, password) = creds.split_once(':').unwrap_or((creds, ""));
    let (authority, db) = rest.split_once('/').unwrap_or((rest, ""));
    let db = db.split('?').next().unwrap_or_default();
    let (host, port) = authority.split_once(':').unwrap_or((authority, "5432"));

    let mut problems = Vec::new();
    if doc["services"][host].as_hash().is_none() {
        problems.push(format!(
            "DECLIC__DATABASE__URL={url}: host `{host}` is not a service of docker-compose.yml"
        ));
        assert_no_problems("the database URL does not reach PostgreSQL", &problems);
    }
    if !image(&doc, host).starts_with("postgres") {
        problems.push(format!(
            "DECLIC__DATABASE__URL={url}: service `{host}` does not run a postgres image"
        ));
    }
    if port != POSTGRES_PORT.to_string() {
        problems.push(format!(
            "DECLIC__DATABASE__URL={url}: port {port}, but PostgreSQL listens on {POSTGRES_PORT}"
        ));
    }
    let pg = environment(&doc, host);
    let pg_user = pg.get("POSTGRES_USER").map_or("postgres", String::as_str);
    let pg_password = pg.get("POSTGRES_PASSWORD").map_or("", String::as_str);
    let pg_db = pg.get("POSTGRES_DB").map_or(pg_user, String::as_str);
    for (part, ours, theirs, var) in [
        ("user", user, pg_user, "POSTGRES_USER"),
        ("password", password, pg_password, "POSTGRES_PASSWORD"),
        ("database", db, pg_db, "POSTGRES_DB"),
    ] {
        if ours != theirs {
            problems.push(format!(
                "DECLIC__DATABASE__URL={url}: {part} `{ours}` but service `{host}` has {var}={theirs}"
            ));
        }
    }
    // declic must wait until PostgreSQL accepts connections.
    let depends = &service(&doc, "declic")["depends_on"][host];
    if scalar(&depends["condition"]).as_deref() != Some("service_healthy") {
        problems.push(format!(
            "docker-compose.yml: service `declic` should depend on `{host}` with condition: service_healthy"
        ));
    }
    if service(&doc, host)["healthcheck"].as_hash().is_none() {
        problems.push(format!(
            "docker-compose.yml: service `{host}` has no healthcheck, so service_healthy never holds"
        ));
    }
    assert_no_problems("the database URL does not reach PostgreSQL", &problems);
}

/// Writes `KEY=value` variables as the TOML that figment's `DECLIC__` layer
/// would build from them (numbers and booleans typed, the rest strings).
fn variables_as_toml(vars: &BTreeMap<String, String>) -> String {
    let mut root = toml::Table::new();
    for (var, value) in vars {
        let Some(key) = key_of(var) else { continue };
        let parts: Vec<&str> = key.split('.').collect();
        let (last, sections) = parts.split_last().expect("a key has a name");
        let mut table = &mut root;
        for s in sections {
            table = table
                .entry((*s).to_owned())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                .as_table_mut()
                .unwrap_or_else(|| panic!("{var}: `{s}` is both a key and a section"));
        }
        let typed = if let Ok(i) = value.parse::<i64>() {
            toml::Value::Integer(i)
        } else if let Ok(b) = value.parse::<bool>() {
            toml::Value::Boolean(b)
        } else {
            toml::Value::String(value.clone())
        };
        table.insert((*last).to_owned(), typed);
    }
    toml::to_string(&root).expect("variables serialize as TOML")
}

#[test]
fn the_container_environment_loads_as_a_valid_production_config() {
    let doc = compose();
    // What the container sees: the image's ENV, then the compose environment.
    let mut vars: BTreeMap<String, String> = env_of(&runtime_stage()).into_iter().collect();
    for (k, v) in environment(&doc, "declic") {
        let v = match interpolated(&v) {
            Some(v) => v,
            // Required from the shell (the secret key): stand in a valid one.
            None => "x".repeat(48),
        };
        vars.insert(k, v);
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("container-env.toml");
    std::fs::write(&file, variables_as_toml(&vars)).expect("the TOML file is written");
    let loaded = load(&LoadOptions {
        config_dir: Some(root().join("config")),
        file: Some(file),
    })
    .unwrap_or_else(|e| panic!("the docker-compose.yml environment does not load: {e}"));
    assert!(
        loaded.warnings.is_empty(),
        "the docker-compose.yml environment loads with warnings: {:?}",
        loaded.warnings
    );
    let config: Config = loaded.config;
    assert_eq!(config.environment, Environment::Production);
    assert_eq!(config.mail.transport, MailTransport::Smtp);
    assert_eq!(config.mail.smtp.tls, SmtpTls::None);
    assert_eq!(config.mail.smtp.port, MAILPIT_SMTP_PORT);
    assert!(config.database_url().starts_with("postgres://"));
    assert_eq!(config.data_dir, PathBuf::from("/data"));
}

/// The checks above can fail, and name the variable when they do.
#[test]
fn the_checks_name_a_bad_variable() {
    let defaults = defaults();
    let origin = "here";
    let unknown = check_var(&defaults, origin, "DECLIC__MAIL__SMTP__HSOT", "mailpit");
    assert!(
        unknown.len() == 1 && unknown[0].contains("DECLIC__MAIL__SMTP__HSOT"),
        "{unknown:?}"
    );
    for (var, value) in [
        ("DECLIC__MAIL__SMTP__PORT", "smtp"),
        ("DECLIC__MAIL__SMTP__PORT", "70000"),
        ("DECLIC__MAIL__SMTP__TLS", "ssl"),
        ("DECLIC__MAIL__TRANSPORT", "sendmail"),
        ("DECLIC__MAIL__SMTP", "x"),
        (
            "DECLIC__SECURITY__SECRET_KEY",
            "a-literal-key-written-in-the-file-xxxxxxx",
        ),
        ("DECLIC__DATABASE__MIGRATE_ON_START", "yes"),
        ("DECLIC__SERVER__PUBLIC_URL", "localhost:8080"),
    ] {
        let problems = check_var(&defaults, origin, var, value);
        assert!(
            problems.len() == 1 && problems[0].contains(var),
            "{var}={value} should be refused: {problems:?}"
        );
    }
    for (var, value) in [
        ("DECLIC__MAIL__SMTP__PORT", "1025"),
        ("DECLIC__DATA_DIR", "/data"),
        ("DECLIC__SECURITY__SECRET_KEY", "${KEY:?set KEY}"),
        ("DECLIC__LOG__LEVEL", "${LEVEL:-info}"),
        ("NOT_DECLIC", "anything"),
    ] {
        let problems = check_var(&defaults, origin, var, value);
        assert!(
            problems.is_empty(),
            "{var}={value} should pass: {problems:?}"
        );
    }
}
