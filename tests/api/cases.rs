//! The cases of the standard (DOMAIN.md section 2) as a client runs them, call by call, with
//! the final state checked in every register.

use acceptance::{bsn, persoon, TestApp};
use serde_json::{json, Value};

fn uuids(list: &Value) -> Vec<String> {
    let mut uuids: Vec<String> = list
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|item| item["uuid"].as_str().unwrap().to_owned())
        .collect();
    uuids.sort();
    uuids
}

fn sorted(mut values: Vec<&Value>) -> Vec<String> {
    values.sort_by_key(|v| v.as_str().unwrap().to_owned());
    values
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

async fn actor(app: &TestApp, body: Value) -> Value {
    app.create("actoren", body).await
}

async fn balie_medewerker(app: &TestApp) -> Value {
    actor(app, json!({"naam": "Fatima el Amrani", "soortActor": "medewerker", "indicatieActief": true,
        "actoridentificator": {"objectId": "f.elamrani", "codeObjecttype": "mdw", "codeRegister": "msei", "codeSoortObjectId": "gebruikersnaam"},
        "actorIdentificatie": {"functie": "baliemedewerker", "telefoonnummer": "0201234567"}})).await
}

/// A klantcontact with the actor that registered it.
async fn klantcontact(app: &TestApp, by: &Value, body: Value) -> Value {
    let k = app.create("klantcontacten", body).await;
    app.create(
        "actorklantcontacten",
        json!({"actor": {"uuid": by["uuid"]}, "klantcontact": {"uuid": k["uuid"]}}),
    )
    .await;
    k
}

/// The partij with this BSN, found as a KCC application finds it.
async fn lookup(app: &TestApp, bsn: &str) -> Value {
    let found = app
        .get(&format!("partijen?partijIdentificator__codeSoortObjectId=bsn&partijIdentificator__objectId={bsn}"))
        .await
        .json();
    assert_eq!(found["count"], 1, "{found}");
    found["results"][0].clone()
}

/// BT-2: a known person at the counter about two topics; the second needs a call-back on a
/// one-off number, which must not replace the partij's own phone.
#[tokio::test]
async fn a_counter_conversation_about_two_topics() {
    let app = acceptance::spawn_app().await;
    let bsn = bsn(2001);
    let p = app.create("partijen", persoon(Some(&bsn))).await;
    let eigen = app
        .create("digitaleadressen", json!({"verstrektDoorPartij": {"uuid": p["uuid"]}, "adres": "0201111111", "soortDigitaalAdres": "telefoonnummer", "isStandaardAdres": true}))
        .await;
    let balie = balie_medewerker(&app).await;

    let p1 = lookup(&app, &bsn).await;
    assert_eq!(p1["uuid"], p["uuid"]);
    let kc1 = klantcontact(&app, &balie, json!({"kanaal": "balie", "onderwerp": "melding omgewaaide boom", "inhoud": "Boom blokkeert de Dorpsstraat", "taal": "nld", "vertrouwelijk": false, "indicatieContactGelukt": true})).await;
    let b1 = app
        .create("betrokkenen", json!({"hadKlantcontact": {"uuid": kc1["uuid"]}, "wasPartij": {"uuid": p1["uuid"]}, "rol": "klant", "initiator": true}))
        .await;
    let kc2 = klantcontact(&app, &balie, json!({"kanaal": "balie", "onderwerp": "informatie schuldhulpverlening", "inhoud": "Wil teruggebeld worden", "taal": "nld", "vertrouwelijk": false, "indicatieContactGelukt": true})).await;
    let b2 = app
        .create("betrokkenen", json!({"hadKlantcontact": {"uuid": kc2["uuid"]}, "wasPartij": {"uuid": p1["uuid"]}, "rol": "klant", "initiator": true}))
        .await;
    let eenmalig = app
        .create("digitaleadressen", json!({"verstrektDoorBetrokkene": {"uuid": b2["uuid"]}, "adres": "0612345678", "soortDigitaalAdres": "telefoonnummer", "omschrijving": "eenmalig terugbelnummer"}))
        .await;

    // relatiebeheer: the partij keeps its own phone, and knows both contacts.
    let partij = app
        .get(&format!(
            "partijen/{}?expand=betrokkenen,betrokkenen.hadKlantcontact,digitaleAdressen",
            p["uuid"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(
        uuids(&partij["digitaleAdressen"]),
        [eigen["uuid"].as_str().unwrap()]
    );
    assert_eq!(
        partij["_expand"]["digitaleAdressen"][0]["adres"],
        "0201111111"
    );
    assert_eq!(
        uuids(&partij["betrokkenen"]),
        sorted(vec![&b1["uuid"], &b2["uuid"]])
    );
    let onderwerpen: Vec<&Value> = partij["_expand"]["betrokkenen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| &b["_expand"]["hadKlantcontact"]["onderwerp"])
        .collect();
    assert_eq!(
        sorted(onderwerpen),
        ["informatie schuldhulpverlening", "melding omgewaaide boom"]
    );

    // klantcontacten: both contacts of this person, found by BSN; the one-off phone on B2 only.
    let contacts = app
        .get(&format!(
            "klantcontacten?hadBetrokkene__wasPartij__partijIdentificator__objectId={bsn}"
        ))
        .await
        .json();
    assert_eq!(
        uuids(&contacts["results"]),
        sorted(vec![&kc1["uuid"], &kc2["uuid"]])
    );
    let b2 = app.get(b2["url"].as_str().unwrap()).await.json();
    assert_eq!(
        uuids(&b2["digitaleAdressen"]),
        [eenmalig["uuid"].as_str().unwrap()]
    );
    let b1 = app.get(b1["url"].as_str().unwrap()).await.json();
    assert_eq!(b1["digitaleAdressen"], json!([]));
    for kc in [&kc1, &kc2] {
        let shown = app.get(kc["url"].as_str().unwrap()).await.json();
        assert_eq!(shown["hadBetrokkenActoren"][0]["uuid"], balie["uuid"]);
        assert_eq!(shown["hadBetrokkenen"].as_array().unwrap().len(), 1);
    }
}

/// C9167 variant A: an unidentified caller who wants to be called back leaves a name and a
/// number; no partij is made.
#[tokio::test]
async fn an_anonymous_caller_who_wants_a_call_back() {
    let app = acceptance::spawn_app().await;
    let kcc = balie_medewerker(&app).await;
    let kc1 = klantcontact(&app, &kcc, json!({"kanaal": "telefoon", "onderwerp": "vraag over vergunning", "inhoud": "Vraag over een dakkapel", "taal": "nld", "vertrouwelijk": false, "indicatieContactGelukt": true})).await;
    let b1 = app
        .create("betrokkenen", json!({"hadKlantcontact": {"uuid": kc1["uuid"]}, "rol": "klant", "initiator": true,
            "contactnaam": {"voorletters": "K.", "voornaam": "Karel", "voorvoegselAchternaam": "van", "achternaam": "Deurne"}}))
        .await;
    assert_eq!(b1["wasPartij"], Value::Null);
    assert_eq!(b1["volledigeNaam"], "Karel van Deurne");
    let telefoon = app
        .create("digitaleadressen", json!({"verstrektDoorBetrokkene": {"uuid": b1["uuid"]}, "adres": "0612345678", "soortDigitaalAdres": "telefoonnummer"}))
        .await;
    assert_eq!(telefoon["verstrektDoorPartij"], Value::Null);

    // Who calls back finds the contact, its betrokkene and the number to call.
    let contact = app
        .get(&format!(
            "klantcontacten/{}?expand=hadBetrokkenen,hadBetrokkenen.digitaleAdressen",
            kc1["uuid"].as_str().unwrap()
        ))
        .await
        .json();
    let betrokkene = &contact["_expand"]["hadBetrokkenen"][0];
    assert_eq!(betrokkene["volledigeNaam"], "Karel van Deurne");
    assert_eq!(
        betrokkene["_expand"]["digitaleAdressen"][0]["adres"],
        "0612345678"
    );
    // No partij anywhere; the number is found by the betrokkene that gave it.
    assert_eq!(app.get("partijen").await.json()["count"], 0);
    let by_betrokkene = app
        .get(&format!(
            "digitaleadressen?verstrektDoorBetrokkene__uuid={}",
            b1["uuid"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(
        uuids(&by_betrokkene["results"]),
        [telefoon["uuid"].as_str().unwrap()]
    );
}

/// BT-3 / C1199: an e-mail with attachments read from the mailbox by software; the sender is
/// linked to a partij later, once identified.
#[tokio::test]
async fn an_e_mail_with_attachments() {
    let app = acceptance::spawn_app().await;
    let mailbox = actor(&app, json!({"naam": "Mailboxlezer", "soortActor": "geautomatiseerde_actor", "indicatieActief": true,
        "actorIdentificatie": {"functie": "lezen info@-mailbox", "omschrijving": "zet ontvangen e-mail om in klantcontacten"}})).await;
    let kc1 = klantcontact(&app, &mailbox, json!({"kanaal": "e-mail", "onderwerp": "Buurtfeest 12 juni", "inhoud": "Wij organiseren een buurtfeest...", "taal": "nld", "vertrouwelijk": false, "indicatieContactGelukt": true, "plaatsgevondenOp": "2026-06-01T08:15:00Z"})).await;
    let b1 = app
        .create(
            "betrokkenen",
            json!({"hadKlantcontact": {"uuid": kc1["uuid"]}, "rol": "klant", "initiator": true,
            "contactnaam": {"voornaam": "Anouk", "achternaam": "Jansen"}}),
        )
        .await;
    app.create("digitaleadressen", json!({"verstrektDoorBetrokkene": {"uuid": b1["uuid"]}, "adres": "anouk@example.nl", "soortDigitaalAdres": "email", "omschrijving": "uit ontvangen e-mail"}))
        .await;
    let mut bijlagen = Vec::new();
    for document in ["mail.eml", "flyer.pdf", "route.pdf"] {
        let bijlage = app
            .create("bijlagen", json!({"wasBijlageVanKlantcontact": {"uuid": kc1["uuid"]},
                "bijlageidentificator": {"objectId": document, "codeObjecttype": "informatieobject", "codeRegister": "drc", "codeSoortObjectId": "uuid"}}))
            .await;
        bijlagen.push(bijlage["uuid"].clone());
    }

    let contact = app
        .get(&format!(
            "klantcontacten/{}?expand=omvatteBijlagen",
            kc1["uuid"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(contact["plaatsgevondenOp"], "2026-06-01T08:15:00Z");
    assert_eq!(
        uuids(&contact["omvatteBijlagen"]),
        sorted(bijlagen.iter().collect())
    );
    let mut documents: Vec<&str> = contact["_expand"]["omvatteBijlagen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["bijlageidentificator"]["objectId"].as_str().unwrap())
        .collect();
    documents.sort();
    assert_eq!(documents, ["flyer.pdf", "mail.eml", "route.pdf"]);
    assert_eq!(
        contact["hadBetrokkenActoren"][0]["soortActor"],
        "geautomatiseerde_actor"
    );
    let found = app
        .get("klantcontacten?hadBetrokkene__digitaaladres__adres__icontains=ANOUK@example")
        .await
        .json();
    assert_eq!(uuids(&found["results"]), [kc1["uuid"].as_str().unwrap()]);

    // Later the sender turns out to be a known person: the betrokkene is linked to the partij.
    let bsn = bsn(2002);
    let p = app.create("partijen", persoon(Some(&bsn))).await;
    let linked = app
        .patch(
            b1["url"].as_str().unwrap(),
            json!({"wasPartij": {"uuid": p["uuid"]}}),
        )
        .await;
    assert_eq!(linked.status, 200, "{}", linked.text);
    let partij = app.get(p["url"].as_str().unwrap()).await.json();
    assert_eq!(
        uuids(&partij["betrokkenen"]),
        [b1["uuid"].as_str().unwrap()]
    );
    let by_bsn = app
        .get(&format!(
            "klantcontacten?hadBetrokkene__wasPartij__partijIdentificator__objectId={bsn}"
        ))
        .await
        .json();
    assert_eq!(uuids(&by_bsn["results"]), [kc1["uuid"].as_str().unwrap()]);
}

/// C5419 / BT-4: a contact person of an organisation that represents a person comes to the
/// counter for that person; both are betrokkenen, the organisation is not.
#[tokio::test]
async fn a_representative_at_the_counter() {
    let app = acceptance::spawn_app().await;
    let bsn = bsn(2003);
    let persoon = app.create("partijen", persoon(Some(&bsn))).await;
    let org = app
        .create("partijen", json!({"soortPartij": "organisatie", "indicatieActief": true, "partijIdentificatie": {"naam": "Bewindvoering Noord B.V."},
            "partijIdentificatoren": [{"partijIdentificator": {"codeObjecttype": "niet_natuurlijk_persoon", "codeSoortObjectId": "kvk_nummer", "objectId": "69599084", "codeRegister": "hr"}}]}))
        .await;
    let cp = app
        .create("partijen", json!({"soortPartij": "contactpersoon", "indicatieActief": true,
            "partijIdentificatie": {"werkteVoorPartij": {"uuid": org["uuid"]}, "contactnaam": {"voornaam": "Mehmet", "achternaam": "Yilmaz"}}}))
        .await;
    app.create("vertegenwoordigingen", json!({"vertegenwoordigendePartij": {"uuid": org["uuid"]}, "vertegenwoordigdePartij": {"uuid": persoon["uuid"]}}))
        .await;
    let balie = balie_medewerker(&app).await;
    let kc1 = klantcontact(&app, &balie, json!({"kanaal": "balie", "onderwerp": "aanvraag bijzondere bijstand", "taal": "nld", "vertrouwelijk": true, "indicatieContactGelukt": true})).await;
    let b1 = app
        .create("betrokkenen", json!({"hadKlantcontact": {"uuid": kc1["uuid"]}, "wasPartij": {"uuid": persoon["uuid"]}, "rol": "klant", "initiator": false}))
        .await;
    let b2 = app
        .create("betrokkenen", json!({"hadKlantcontact": {"uuid": kc1["uuid"]}, "wasPartij": {"uuid": cp["uuid"]}, "rol": "vertegenwoordiger", "initiator": true}))
        .await;

    // The contact shows both betrokkenen with their partijen; who took the initiative.
    let contact = app
        .get(&format!(
            "klantcontacten/{}?expand=hadBetrokkenen,hadBetrokkenen.wasPartij",
            kc1["uuid"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(
        uuids(&contact["hadBetrokkenen"]),
        sorted(vec![&b1["uuid"], &b2["uuid"]])
    );
    for betrokkene in contact["_expand"]["hadBetrokkenen"].as_array().unwrap() {
        let partij = &betrokkene["_expand"]["wasPartij"];
        match betrokkene["rol"].as_str().unwrap() {
            "klant" => {
                assert_eq!(partij["uuid"], persoon["uuid"]);
                assert_eq!(betrokkene["initiator"], false);
            }
            "vertegenwoordiger" => {
                assert_eq!(partij["soortPartij"], "contactpersoon");
                assert_eq!(
                    partij["partijIdentificatie"]["werkteVoorPartij"]["uuid"],
                    org["uuid"]
                );
                assert_eq!(betrokkene["initiator"], true);
            }
            other => panic!("unexpected rol {other}"),
        }
    }
    // Who represents the person is found from the person (the link resource), and whom the
    // organisation represents from the organisation (the partij filter, named as in the
    // reference: it lists the partijen represented by the given one).
    let links = app
        .get(&format!(
            "vertegenwoordigingen?vertegenwoordigdePartij__uuid={}",
            persoon["uuid"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(links["count"], 1);
    assert_eq!(
        links["results"][0]["vertegenwoordigendePartij"]["uuid"],
        org["uuid"]
    );
    let represented = app
        .get(&format!(
            "partijen?vertegenwoordigdePartij__uuid={}",
            org["uuid"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(
        uuids(&represented["results"]),
        [persoon["uuid"].as_str().unwrap()]
    );
    let org_now = app.get(org["url"].as_str().unwrap()).await.json();
    assert_eq!(
        uuids(&org_now["vertegenwoordigden"]),
        [persoon["uuid"].as_str().unwrap()]
    );
    assert_eq!(org_now["betrokkenen"], json!([]));
    let as_representative = app
        .get(&format!(
            "betrokkenen?wasPartij__uuid={}",
            cp["uuid"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(
        uuids(&as_representative["results"]),
        [b2["uuid"].as_str().unwrap()]
    );
    assert_eq!(as_representative["results"][0]["rol"], "vertegenwoordiger");
    // Searching the person's contacts by BSN finds this one, though the person did not initiate.
    let by_bsn = app
        .get(&format!(
            "klantcontacten?hadBetrokkene__wasPartij__partijIdentificator__objectId={bsn}"
        ))
        .await
        .json();
    assert_eq!(uuids(&by_bsn["results"]), [kc1["uuid"].as_str().unwrap()]);
}

async fn team(app: &TestApp, naam: &str) -> Value {
    actor(
        app,
        json!({"naam": naam, "soortActor": "organisatorische_eenheid", "indicatieActief": true,
        "actorIdentificatie": {"omschrijving": naam, "emailadres": "team@example.nl"}}),
    )
    .await
}

/// The open tasks of a team, as its members poll for them (F3839), newest first.
async fn open_tasks(app: &TestApp, team: &Value) -> Vec<String> {
    let body = app
        .get(&format!(
            "internetaken?toegewezenAanActor__uuid={}&status=te_verwerken",
            team["uuid"].as_str().unwrap()
        ))
        .await
        .json();
    uuids(&body["results"])
}

/// C9167 (variant A) and C2984: the KCC cannot answer, a team calls back, registers the call
/// as a new klantcontact about the first, and closes the task.
#[tokio::test]
async fn a_call_back_request_handled_and_closed() {
    let app = acceptance::spawn_app().await;
    let kcc = balie_medewerker(&app).await;
    let vergunningen = team(&app, "Afdeling vergunningen").await;
    let kc1 = klantcontact(&app, &kcc, json!({"kanaal": "telefoon", "onderwerp": "dakkapel", "inhoud": "Is voor een dakkapel een vergunning nodig?", "taal": "nld", "vertrouwelijk": false, "indicatieContactGelukt": true})).await;
    let b1 = app
        .create("betrokkenen", json!({"hadKlantcontact": {"uuid": kc1["uuid"]}, "rol": "klant", "initiator": true,
            "contactnaam": {"voornaam": "Karel", "voorvoegselAchternaam": "van", "achternaam": "Deurne"}}))
        .await;
    app.create("digitaleadressen", json!({"verstrektDoorBetrokkene": {"uuid": b1["uuid"]}, "adres": "0612345678", "soortDigitaalAdres": "telefoonnummer"}))
        .await;
    let it1 = app
        .create("internetaken", json!({"aanleidinggevendKlantcontact": {"uuid": kc1["uuid"]}, "toegewezenAanActor": {"uuid": vergunningen["uuid"]},
            "gevraagdeHandeling": "terugbellen", "toelichting": "graag vandaag", "status": "te_verwerken"}))
        .await;

    // A colleague of the team finds the task, the contact, and the number to call.
    assert_eq!(
        open_tasks(&app, &vergunningen).await,
        [it1["uuid"].as_str().unwrap()]
    );
    let task = app.get(it1["url"].as_str().unwrap()).await.json();
    let contact = app
        .get(&format!(
            "{}?expand=hadBetrokkenen,hadBetrokkenen.digitaleAdressen",
            task["aanleidinggevendKlantcontact"]["url"]
                .as_str()
                .unwrap()
        ))
        .await
        .json();
    assert_eq!(
        contact["inhoud"],
        "Is voor een dakkapel een vergunning nodig?"
    );
    let betrokkene = &contact["_expand"]["hadBetrokkenen"][0];
    assert_eq!(
        betrokkene["_expand"]["digitaleAdressen"][0]["adres"],
        "0612345678"
    );

    // The call back is a klantcontact of its own, about the first one.
    let medewerker = actor(
        &app,
        json!({"naam": "Joost Visser", "soortActor": "medewerker", "indicatieActief": true,
        "actorIdentificatie": {"functie": "vergunningverlener", "telefoonnummer": "0207654321"}}),
    )
    .await;
    let kc2 = klantcontact(&app, &medewerker, json!({"kanaal": "telefoon", "onderwerp": "dakkapel", "inhoud": "Nee, vergunningvrij aan de achterkant.", "taal": "nld", "vertrouwelijk": false, "indicatieContactGelukt": true})).await;
    app.create("betrokkenen", json!({"hadKlantcontact": {"uuid": kc2["uuid"]}, "rol": "klant", "initiator": false,
        "contactnaam": {"voornaam": "Karel", "voorvoegselAchternaam": "van", "achternaam": "Deurne"}}))
        .await;
    let over = app
        .create("onderwerpobjecten", json!({"klantcontact": {"uuid": kc2["uuid"]}, "wasKlantcontact": {"uuid": kc1["uuid"]}}))
        .await;
    let closed = app
        .patch(it1["url"].as_str().unwrap(), json!({"status": "verwerkt"}))
        .await
        .json();
    assert_eq!(closed["status"], "verwerkt");
    assert!(closed["afgehandeldOp"].is_string());

    // Final state: no open task; the first contact led to the task; the second was about it.
    assert!(open_tasks(&app, &vergunningen).await.is_empty());
    let kc1 = app.get(kc1["url"].as_str().unwrap()).await.json();
    assert_eq!(
        uuids(&kc1["leiddeTotInterneTaken"]),
        [it1["uuid"].as_str().unwrap()]
    );
    let kc2 = app.get(kc2["url"].as_str().unwrap()).await.json();
    assert_eq!(
        uuids(&kc2["gingOverOnderwerpobjecten"]),
        [over["uuid"].as_str().unwrap()]
    );
    assert_eq!(kc2["leiddeTotInterneTaken"], json!([]));
    let answered = app
        .get(&format!(
            "klantcontacten?wasOnderwerpobject__uuid={}",
            over["uuid"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(uuids(&answered["results"]), [kc1["uuid"].as_str().unwrap()]);
}

/// C6114: a team gets a task it cannot do; a new task goes back to the KCC to route again, and
/// the first is closed. Both stay linked to the contact.
#[tokio::test]
async fn a_task_routed_to_the_wrong_team_is_routed_again() {
    let app = acceptance::spawn_app().await;
    let kcc_medewerker = balie_medewerker(&app).await;
    let kcc = team(&app, "KCC").await;
    let belastingen = team(&app, "Belastingen").await;
    let kc1 = klantcontact(&app, &kcc_medewerker, json!({"kanaal": "telefoon", "onderwerp": "parkeervergunning", "taal": "nld", "vertrouwelijk": false})).await;
    let it1 = app
        .create("internetaken", json!({"aanleidinggevendKlantcontact": {"uuid": kc1["uuid"]}, "toegewezenAanActoren": [{"uuid": belastingen["uuid"]}],
            "gevraagdeHandeling": "terugbellen", "status": "te_verwerken"}))
        .await;
    assert_eq!(
        open_tasks(&app, &belastingen).await,
        [it1["uuid"].as_str().unwrap()]
    );

    let it2 = app
        .create("internetaken", json!({"aanleidinggevendKlantcontact": {"uuid": kc1["uuid"]}, "toegewezenAanActoren": [{"uuid": kcc["uuid"]}],
            "gevraagdeHandeling": "opnieuw routeren", "toelichting": "kan ik niet uitvoeren, graag naar Parkeren", "status": "te_verwerken"}))
        .await;
    let it1 = app
        .patch(it1["url"].as_str().unwrap(), json!({"status": "verwerkt", "toelichting": "kon niet worden uitgevoerd; nieuwe taak aangemaakt"}))
        .await
        .json();
    assert_eq!(it1["status"], "verwerkt");

    assert!(open_tasks(&app, &belastingen).await.is_empty());
    assert_eq!(
        open_tasks(&app, &kcc).await,
        [it2["uuid"].as_str().unwrap()]
    );
    let contact = app
        .get(&format!(
            "{}?expand=leiddeTotInterneTaken",
            kc1["url"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(
        uuids(&contact["leiddeTotInterneTaken"]),
        sorted(vec![&it1["uuid"], &it2["uuid"]])
    );
    let mut statussen: Vec<&str> = contact["_expand"]["leiddeTotInterneTaken"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    statussen.sort();
    assert_eq!(statussen, ["te_verwerken", "verwerkt"]);
    let all = app
        .get(&format!(
            "internetaken?aanleidinggevendKlantcontact__uuid={}",
            kc1["uuid"].as_str().unwrap()
        ))
        .await
        .json();
    // Newest first: the re-routing task before the closed one.
    assert_eq!(all["results"][0]["uuid"], it2["uuid"]);
    assert_eq!(all["results"][1]["uuid"], it1["uuid"]);
}

/// A task closed too early is reopened: it is open again, without its afgehandeldOp, and back
/// in the team's queue.
#[tokio::test]
async fn a_task_reopened() {
    let app = acceptance::spawn_app().await;
    let kcc_medewerker = balie_medewerker(&app).await;
    let team = team(&app, "Team Zorg").await;
    let kc = klantcontact(
        &app,
        &kcc_medewerker,
        json!({"kanaal": "e-mail", "onderwerp": "wmo", "taal": "nld", "vertrouwelijk": true}),
    )
    .await;
    let it = app
        .create("internetaken", json!({"aanleidinggevendKlantcontact": {"uuid": kc["uuid"]}, "toegewezenAanActor": {"uuid": team["uuid"]},
            "gevraagdeHandeling": "beantwoorden", "status": "verwerkt"}))
        .await;
    assert!(it["afgehandeldOp"].is_string());
    assert!(open_tasks(&app, &team).await.is_empty());

    let reopened = app
        .patch(
            it["url"].as_str().unwrap(),
            json!({"status": "te_verwerken", "toelichting": "klant heeft nog geen antwoord"}),
        )
        .await
        .json();
    assert_eq!(reopened["status"], "te_verwerken");
    assert_eq!(reopened["afgehandeldOp"], Value::Null);
    assert_eq!(reopened["toegewezenOp"], it["toegewezenOp"]);
    assert_eq!(
        open_tasks(&app, &team).await,
        [it["uuid"].as_str().unwrap()]
    );
}
