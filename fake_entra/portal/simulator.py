"""Simulator controls: not part of Microsoft Entra, and marked so on every page they show.

The virtual clock through its side channel (``/_provisim/clock``, outside Graph: real
clients never call it; reference A.1 "Virtual clock"): advance 40 minutes, or run until the
next cycle is due. And the live stream of SCIM exchanges (server-sent events) from
:class:`~fake_entra.portal.feed.ExchangeFeed`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from fake_entra.portal.context import PortalContext, Toast, error_toast, signed_in
from fake_entra.portal.graph_client import GraphCallError

#: linkedin-scim.md §6: later syncs run about every 40 minutes.
CYCLE_STEP = "PT40M"


def register(app: FastAPI, ctx: PortalContext) -> None:
    graph = ctx.graph

    async def page(
        request: Request, toast: Toast | None = None, status_code: int = 200
    ) -> Response:
        clock = await graph.clock()
        exchanges = ctx.feed.since(max(ctx.feed.count - 50, 0)) if ctx.feed else []
        return ctx.render(
            request,
            "simulator.html",
            clock=clock,
            exchanges=list(reversed(exchanges)),
            has_feed=ctx.feed is not None,
            toast=toast,
            status_code=status_code,
        )

    @app.get("/simulator", response_class=HTMLResponse)
    async def simulator(request: Request) -> Response:
        return signed_in(request) or await page(request)

    @app.post("/simulator/clock", response_class=HTMLResponse)
    async def advance(request: Request, step: str = Form("")) -> Response:
        if (redirect := signed_in(request)) is not None:
            return redirect
        try:
            if step == "next-cycle":
                due = (await graph.clock()).get("nextDue")
                if due is None:
                    return await page(
                        request,
                        Toast("No cycle is due", "Set Provisioning Status to On first.", "error"),
                        400,
                    )
                # The clock's JSON rounds to milliseconds: one more reaches a due time
                # that has microseconds.
                when = datetime.fromisoformat(due.replace("Z", "+00:00")) + timedelta(
                    milliseconds=1
                )
                moved = await graph.advance_clock(
                    {"until": when.isoformat(timespec="milliseconds").replace("+00:00", "Z")}
                )
            else:
                moved = await graph.advance_clock({"duration": CYCLE_STEP})
        except GraphCallError as error:
            return await page(request, error_toast(error, "The clock did not move"), 400)
        return await page(
            request,
            Toast(
                "Virtual clock moved",
                f"It is now {moved['now']}; {moved['timersFired']} timer(s) fired.",
            ),
        )

    @app.get("/simulator/exchanges")
    async def exchanges(request: Request) -> Response:
        if (redirect := signed_in(request)) is not None:
            return redirect
        if ctx.feed is None:
            return Response("No exchange feed: the SCIM traffic is not tapped here.", 404)
        last = request.headers.get("last-event-id", "0")
        after = int(last) if last.isdigit() else 0
        return StreamingResponse(
            ctx.feed.events(after),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store"},
        )
