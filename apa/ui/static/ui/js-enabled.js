// GOV.UK Frontend's marker classes, set before the page is drawn (loaded at the top of <body>; a file, not
// inline script, so the Content-Security-Policy needs no 'unsafe-inline').
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
