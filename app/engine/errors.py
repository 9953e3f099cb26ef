"""The engine's one exception type: which field broke which rule."""


class EngineError(ValueError):
    """Raised for input the engine refuses. The API turns it into a 422.

    field: dotted path of the offending request field, e.g. "kernel" or "strides".
    rule:  the rule that was broken, in plain words.
    code:  a machine-readable name for the rules a page reacts to (e.g. "kernel_too_large"); None for the
           rest, which the API reports as "invalid_request".
    """

    def __init__(self, field: str, rule: str, code: str | None = None):
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule
        self.code = code

    def __reduce__(self):  # copies and pickles (worker processes, per-request copies) keep field, rule and code
        return type(self), (self.field, self.rule, self.code)
