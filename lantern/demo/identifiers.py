"""Synthetic identifiers shaped like real ones but built so they can never be real."""


def nhs_check_digit(nine: str) -> int:
    """The NHS number modulus-11 check digit for the first nine digits; 10 means invalid."""
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return 0 if check == 11 else check


def nhs_is_valid(number: str) -> bool:
    if len(number) != 10 or not number.isdigit():
        return False
    check = nhs_check_digit(number[:9])
    return check != 10 and check == int(number[9])


def synthetic_nhs_number(number: int) -> str:
    """A unique 10-digit number that fails the modulus-11 check, so it can never be issued."""
    nine = str(400_000_000 + (number * 48_271_049 + 7_919) % 400_000_000)
    check = nhs_check_digit(nine)
    last = 0 if check == 10 else (check + 1 + number % 9) % 10
    return f"{nine}{last}"


UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn_check_letter(twelve: str) -> str:
    total = sum(int(d) * w for d, w in zip(twelve, range(2, 14), strict=True))
    return UPN_LETTERS[total % 23]


def synthetic_upn(number: int, dfe_code: str) -> str:
    """UPN-shaped (letter, LA code, 9 digits) with a wrong check letter, so never a real UPN."""
    tail = f"{(number * 123_456_791 + 31_337) % 1_000_000_000:09d}"
    twelve = f"{dfe_code or '999'}{tail}"
    right = UPN_LETTERS.index(upn_check_letter(twelve))
    return UPN_LETTERS[(right + 1 + number % 22) % 23] + twelve


def la_child_id(number: int) -> str:
    return f"{(number * 7_654_321 + 1_234_567) % 10_000_000:07d}"


def police_person_id(number: int) -> str:
    return f"P{(number * 31_415_927 + 2_718) % 100_000_000:08d}"
