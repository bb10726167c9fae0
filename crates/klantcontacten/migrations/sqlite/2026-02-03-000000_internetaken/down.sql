DROP TABLE klantcontact_internetaken;
