"""Archive crawler for SATUKANAL.COM, a WordPress news portal from Kediri, East Java."""

__version__ = "0.1.0"
