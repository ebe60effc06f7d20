CREATE DATABASE tmis_national;
CREATE DATABASE tmis_provincial_11;
