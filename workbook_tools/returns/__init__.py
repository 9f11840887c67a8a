"""returns stage."""
