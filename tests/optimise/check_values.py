"""Published check values shared by several test modules (shared/domain/README.md)."""

#: Barlow-Proschan single site, m = (1, 3, 1.8, 2), c = (200, 100, 300, 250):
#: greedy efficient points, cost → total EBO.
BARLOW_PROSCHAN_POINTS = {
    0: 7.800000,
    100: 6.849787,
    400: 5.119357,
    650: 4.254693,
    850: 3.622572,
    1150: 2.787871,
    1400: 2.193877,
    2000: 1.207736,
    2900: 0.388239,
}
