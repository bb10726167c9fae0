//! `klantinteracties`: serve the registers, migrate their databases, manage API tokens.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use klantinteracties::{Application, Settings};
use platform::db::Db;

#[derive(Parser)]
#[command(version, about = "The Klantinteracties registers (API 0.9.0)")]
struct Cli {
    /// A TOML configuration file (see README.md); environment variables override it.
    #[arg(long, global = true, env = "KLANTINTERACTIES_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// Where the data is: flags shared by every subcommand.
#[derive(clap::Args, Clone)]
struct Storage {
    /// Directory of the embedded SQLite databases (default ./data).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Serve or migrate only this register (relatiebeheer, klantcontacten, klanttaak); default:
    /// all.
    #[arg(long)]
    register: Option<String>,
    /// The database of the chosen register (postgres://… or a SQLite path).
    #[arg(long)]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API.
    Serve {
        /// Address to listen on (default 127.0.0.1:8000).
        #[arg(long)]
        bind: Option<String>,
        /// The base URL clients reach the API on, when it differs from the request's host.
        #[arg(long)]
        public_base_url: Option<String>,
        #[command(flatten)]
        storage: Storage,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        storage: Storage,
    },
    /// Rebuild a read model (betrokkenen, digitaleadressen, internetaken) from its source register, while
    /// the registers keep serving; needs the source's database or its peer URL.
    Resync {
        /// Which read model.
        name: String,
        #[command(flatten)]
        storage: Storage,
    },
    /// Route one base URL to the three registers running as separate processes (what the
    /// Ingress does in production; for development and tests).
    Gateway {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8000")]
        bind: String,
        /// Base URL of the relatiebeheer register, e.g. http://127.0.0.1:8001.
        #[arg(long)]
        relatiebeheer: String,
        /// Base URL of the klantcontacten register.
        #[arg(long)]
        klantcontacten: String,
        /// Base URL of the klanttaak register.
        #[arg(long)]
        klanttaak: String,
    },
    /// Print an OpenAPI document as served: the Klantinteracties API of one register (or of all
    /// three), or with --contactgegevens the Contactgegevens API.
    Openapi {
        /// Only this register's part (relatiebeheer, klantcontacten, klanttaak).
        #[arg(long)]
        register: Option<String>,
        #[arg(long, conflicts_with = "register")]
        contactgegevens: bool,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// The Logboek Dataverwerkingen.
    Logboek {
        #[command(subcommand)]
        action: LogboekAction,
    },
}

#[derive(Subcommand)]
enum LogboekAction {
    /// Print a new key to encrypt BSNs in the Logboek with (configure it as
    /// KLANTINTERACTIES_LOGBOEK__SLEUTEL, the same in every register).
    Sleutel,
}

#[derive(Subcommand)]
enum TokenAction {
    /// Create a token; it is printed once, as the last line (only its hash is stored).
    Create {
        #[arg(long)]
        identifier: String,
        /// The application that will use the token (logged with its writes).
        #[arg(long, default_value = "")]
        application: String,
        /// Limit the token: `REGISTER:read` or `REGISTER:write` (REGISTER one of relatiebeheer,
        /// klantcontacten, klanttaak, or `*`), and `bsn` to let it see and use BSNs; repeat or
        /// separate with commas. Default: all, BSNs included. `logboek` lets it read the
        /// Logboek Dataverwerkingen.
        #[arg(long = "scope", value_delimiter = ',')]
        scopes: Vec<String>,
        /// The processing activity (a URI in the register of processing activities) the
        /// token's calls serve, recorded in the Logboek; repeat to allow a call to name another
        /// of them in X-Verwerkingsactiviteit (the first is the default). None: a call may name
        /// any.
        #[arg(long = "verwerkingsactiviteit")]
        activities: Vec<String>,
        #[command(flatten)]
        storage: Storage,
    },
    /// List tokens (never the tokens themselves).
    List {
        #[command(flatten)]
        storage: Storage,
    },
    /// Revoke the active token with this identifier.
    Revoke {
        #[arg(long)]
        identifier: String,
        #[command(flatten)]
        storage: Storage,
    },
}

fn apply(settings: &mut Settings, storage: &Storage) {
    if let Some(dir) = &storage.data_dir {
        settings.data_dir = dir.clone();
    }
    if let Some(register) = &storage.register {
        settings.register = Some(register.clone());
    }
    if let Some(url) = &storage.database_url {
        // One database URL names one register's database (relatiebeheer unless --register
        // says otherwise); the tokens live there too.
        let register = settings
            .register
            .get_or_insert_with(|| "relatiebeheer".into());
        match register.as_str() {
            "klantcontacten" => settings.database.klantcontacten = Some(url.clone()),
            "klanttaak" => settings.database.klanttaak = Some(url.clone()),
            _ => settings.database.relatiebeheer = Some(url.clone()),
        }
    }
}

fn token_db(settings: &Settings) -> anyhow::Result<Db> {
    klantinteracties::migrate(settings).context("preparing the token store")?;
    Ok(Db::connect(&settings.auth_database_url()?, 1))
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut settings = Settings::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve {
            bind,
            public_base_url,
            storage,
        } => {
            apply(&mut settings, &storage);
            if let Some(bind) = bind {
                settings.bind = bind;
            }
            if let Some(url) = public_base_url {
                settings.public_base_url = Some(url);
            }
            platform::telemetry::init(settings.log_format, &settings.log_level);
            actix_web::rt::System::new().block_on(async move {
                let app = Application::build(&settings)?;
                app.run_until_stopped().await?;
                Ok(())
            })
        }
        Command::Migrate { storage } => {
            apply(&mut settings, &storage);
            platform::telemetry::init(settings.log_format, &settings.log_level);
            let applied = klantinteracties::migrate(&settings)?;
            println!("{applied} migrations applied");
            Ok(())
        }
        Command::Resync { name, storage } => {
            apply(&mut settings, &storage);
            platform::telemetry::init(settings.log_format, &settings.log_level);
            let report = actix_web::rt::System::new()
                .block_on(klantinteracties::readmodels::resync(&settings, &name))?;
            println!(
                "{name}: {} objects as of event {}, {} removed",
                report.objects, report.watermark, report.removed
            );
            Ok(())
        }
        Command::Gateway {
            bind,
            relatiebeheer,
            klantcontacten,
            klanttaak,
        } => {
            platform::telemetry::init(settings.log_format, &settings.log_level);
            let routes = klantinteracties::gateway::Routes(
                [
                    (reference::Register::Relatiebeheer, relatiebeheer),
                    (reference::Register::Klantcontacten, klantcontacten),
                    (reference::Register::Klanttaak, klanttaak),
                ]
                .into_iter()
                .map(|(r, url)| (r, url.trim_end_matches('/').to_owned()))
                .collect(),
            );
            actix_web::rt::System::new().block_on(klantinteracties::gateway::run(&bind, routes))?;
            Ok(())
        }
        Command::Openapi {
            register,
            contactgegevens,
        } => {
            let document = if contactgegevens {
                klantinteracties::openapi::contactgegevens()
            } else {
                let registers = match register {
                    None => reference::Register::ALL.to_vec(),
                    Some(name) => vec![reference::Register::from_name(&name)
                        .ok_or_else(|| anyhow::anyhow!("unknown register {name:?}"))?],
                };
                klantinteracties::openapi::klantinteracties(&registers)
            };
            println!("{}", serde_json::to_string_pretty(&document)?);
            Ok(())
        }
        Command::Logboek {
            action: LogboekAction::Sleutel,
        } => {
            println!("{}", platform::logboek::SubjectKey::generate()?.to_base64());
            Ok(())
        }
        Command::Token { action } => match action {
            TokenAction::Create {
                identifier,
                application,
                scopes,
                activities,
                storage,
            } => {
                apply(&mut settings, &storage);
                let scopes =
                    platform::auth::Scopes::parse(&scopes.join(",")).map_err(anyhow::Error::msg)?;
                let db = token_db(&settings)?;
                let token = db.run_blocking(|conn| {
                    platform::auth::create_token_for(
                        conn,
                        &identifier,
                        &application,
                        &scopes,
                        &activities,
                    )
                })?;
                println!("Token for {identifier} (shown once; only its hash is stored):");
                println!("{token}");
                Ok(())
            }
            TokenAction::List { storage } => {
                apply(&mut settings, &storage);
                let db = token_db(&settings)?;
                for token in db.run_blocking(platform::auth::list_tokens)? {
                    let state = match token.revoked_at {
                        Some(at) => format!("revoked {}", platform::time::format_datetime(at)),
                        None => "active".into(),
                    };
                    let scopes = if token.scopes.is_empty() {
                        "all registers".to_owned()
                    } else {
                        token.scopes
                    };
                    println!(
                        "{}\t{}\tcreated {}\t{}\t{}\t{}",
                        token.identifier,
                        token.application,
                        platform::time::format_datetime(token.created_at),
                        state,
                        scopes,
                        token.verwerkingsactiviteiten
                    );
                }
                Ok(())
            }
            TokenAction::Revoke {
                identifier,
                storage,
            } => {
                apply(&mut settings, &storage);
                let db = token_db(&settings)?;
                if db.run_blocking(|conn| platform::auth::revoke_token(conn, &identifier))? {
                    println!("revoked {identifier}");
                    Ok(())
                } else {
                    anyhow::bail!("no active token with identifier {identifier:?}")
                }
            }
        },
    }
}
