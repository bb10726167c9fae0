-- POST maak-klantcontact: a klantcontact with a betrokkene and an onderwerpobject.
wrk.method = "POST"
wrk.body = '{"klantcontact":{"kanaal":"telefoon","onderwerp":"Afvalpas kwijt","inhoud":"Belt over de afvalpas","taal":"nld","vertrouwelijk":false,"plaatsgevondenOp":"2026-11-30T10:00:00Z"},"betrokkene":{"rol":"klant","initiator":true,"organisatienaam":"","contactnaam":{"voornaam":"Jan","achternaam":"Jansen"}},"onderwerpobject":{"onderwerpobjectidentificator":{"codeObjecttype":"zaak","codeSoortObjectId":"uuid","objectId":"0f4a6b2e-8e57-4c7e-9a46-2f2d5d1e7c10","codeRegister":"openzaak"}}}'
