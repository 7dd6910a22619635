"""The error of a file that cannot be read: it names the file, the line and the column."""


class FileError(Exception):
    """str() is "<file>, line <n>, column <m>: <problem>" with the parts that are known."""

    def __init__(self, problem, *, file=None, line=None, column=None, line_word="line"):
        self.problem = problem
        self.file = file
        self.line = line
        self.column = column
        where = ", ".join(
            part
            for part in (
                file,
                f"{line_word} {line}" if line is not None else None,
                f"column {column}" if column is not None else None,
            )
            if part
        )
        super().__init__(f"{where}: {problem}" if where else problem)
