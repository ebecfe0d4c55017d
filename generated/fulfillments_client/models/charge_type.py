from enum import StrEnum


class ChargeType(StrEnum):
    ONETIME = "OneTime"
    OTHERS = "Others"
    RECURRING = "Recurring"
    USAGE = "Usage"

    def __str__(self) -> str:
        return str(self.value)
