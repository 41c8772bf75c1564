"""Small pieces every feature uses: colours and styles, the abbreviation glossary, time text,
and read-only register tables over one row model."""
