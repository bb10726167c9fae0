DROP TABLE actorklantcontacten;
DROP TABLE actoren;
DROP TABLE bijlagen;
DROP TABLE onderwerpobjecten;
DROP TABLE betrokkenen;
DROP TABLE klantcontacten;
