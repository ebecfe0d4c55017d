from enum import StrEnum


class ProcessingOptionsApplicationOrderItem(StrEnum):
    CREDITMEMO = "CreditMemo"
    UNAPPLIEDPAYMENT = "UnappliedPayment"

    def __str__(self) -> str:
        return str(self.value)
