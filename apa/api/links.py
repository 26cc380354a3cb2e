"""Absolute links: to the API's own resources and to the site's pages (letters' permalinks, decisions)."""

from django.urls import reverse


def link(request, name: str, **kwargs) -> str:
    return request.build_absolute_uri(reverse(name, kwargs=kwargs))


def api_link(request, name: str, **kwargs) -> str:
    return link(request, f"api:{name}", **kwargs)


def authority_ref(request, authority) -> dict:
    return {"dfe_code": authority.dfe_code, "name": authority.name,
            "url": api_link(request, "authority", dfe_code=authority.dfe_code)}


def result_link(request, result) -> str:
    return api_link(request, "result_version", dfe_code=result.authority.dfe_code, code=result.framework.code,
                    key=result.key, version=result.version)


def letter_links(request, result) -> dict:
    args = {"dfe_code": result.authority.dfe_code, "code": result.framework.code, "key": result.key,
            "version": result.version}
    return {"html": link(request, "letter_version", **args), "pdf": link(request, "letter_version_pdf", **args)}
