"""Pure queue rules: no framework, no database, no clock."""
