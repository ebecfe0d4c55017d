from enum import StrEnum


class FulfillmentType(StrEnum):
    DELIVERY = "Delivery"
    RETURN = "Return"

    def __str__(self) -> str:
        return str(self.value)
