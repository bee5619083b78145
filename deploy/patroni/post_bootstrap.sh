#!/bin/sh
# Run once by Patroni on the first primary: the server's database (the server creates PostGIS and its schema in it).
set -e
psql -d "$1" -c "CREATE DATABASE spatialreadiness"
