"""hiring's pages. Views authorize through selectors, bind a form and call one service; a
DomainError's message is shown to the person and nothing is saved."""
