"""Thermal ticket printing: layout (ESC/POS bytes), devices (send, status), simulator and preview."""
