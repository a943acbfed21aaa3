"""What a run leaves behind: file formats (shared by writers and readers), run folders, scorecard, comparison,
and the report built from a folder's files alone."""
