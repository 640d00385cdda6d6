"""The project review report: data from the features' own reports, rendered as Markdown and charts."""
