/// The dashboard's styles: system fonts, one column that tables fold into cards on a phone,
/// visible focus everywhere, and the user's light or dark preference.
enum DashboardStyles {
    static let text = #"""
:root{--bg:#f4f5f7;--fg:#1c2430;--muted:#5b6675;--card:#fff;--line:#d9dde3;--accent:#2f5d8a;--accent-fg:#fff;--ok:#1f7a3d;--warn:#9a5b00;--bad:#b3261e;--focus:#1a73e8;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#14181d;--fg:#e3e7ec;--muted:#9aa5b1;--card:#1d232a;--line:#333c46;--accent:#6ea8dc;--accent-fg:#0d1217;--ok:#5cc287;--warn:#e3a84a;--bad:#f2877f;--focus:#8ab4f8}}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
code,.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:.92em}
.bar{display:flex;align-items:center;gap:1rem;padding:.6rem 1.2rem;background:var(--card);border-bottom:1px solid var(--line);position:sticky;top:0;z-index:2}
.bar h1{font-size:1.1rem;margin:0}
.bar nav{display:flex;gap:.9rem;flex:1;overflow-x:auto}
.bar nav a{color:var(--fg);text-decoration:none;padding:.2rem 0;white-space:nowrap}
.bar nav a:hover{color:var(--accent);text-decoration:underline}
#signout{margin-left:auto}
main{max-width:1200px;margin:0 auto;padding:1rem 1.2rem 3rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem 1.2rem;margin:0 0 1.2rem;scroll-margin-top:4rem}
.narrow{max-width:30rem;margin:3rem auto}
h2{font-size:1.15rem;margin:0 0 .8rem}
h3{font-size:1rem;margin:1.2rem 0 .5rem}
p{margin:.4rem 0}
.muted,.empty{color:var(--muted)}
.empty{padding:.8rem 0}
.error{color:var(--bad)}
.row{display:flex;gap:.5rem}
.row input{flex:1;min-width:0}
label{display:flex;flex-direction:column;gap:.2rem;font-size:.85rem;color:var(--muted)}
#signin label{margin:.8rem 0 .2rem}
input{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:.45rem .6rem;min-width:0}
button{font:inherit;cursor:pointer;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:var(--accent-fg);padding:.45rem .9rem}
button.quiet,button.seg{background:transparent;color:var(--fg);border-color:var(--line)}
button.small{padding:.2rem .55rem;font-size:.85rem}
button:disabled{opacity:.6;cursor:default}
button.seg[aria-pressed=true]{background:var(--accent);color:var(--accent-fg);border-color:var(--accent)}
[role=group]{display:inline-flex}
[role=group] .seg{border-radius:0}
[role=group] .seg:first-child{border-radius:6px 0 0 6px}
[role=group] .seg:last-child{border-radius:0 6px 6px 0;margin-left:-1px}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
fieldset{border:0;padding:0;margin:1.2rem 0 0}
legend{font-weight:600;padding:0;margin-bottom:.5rem}
.fields{display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.6rem;margin-bottom:.7rem}
#notice{position:fixed;bottom:1rem;left:50%;transform:translateX(-50%);z-index:3;margin:0;max-width:calc(100vw - 2rem);padding:.5rem 1rem;border:1px solid var(--line);border-radius:8px;background:var(--card);box-shadow:0 2px 10px rgba(0,0,0,.15)}
#notice:empty{display:none}
#notice.error{color:var(--bad)}
.head{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.6rem;margin-bottom:.6rem}
.head h2{margin:0}
.switches{display:flex;flex-wrap:wrap;gap:.6rem}
.scroll,.frame{overflow:auto;border:1px solid var(--line);border-radius:6px}
.scroll{max-height:22rem}
.scroll th,.scroll td{white-space:nowrap}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);background:var(--card);position:sticky;top:0}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tfoot td{font-weight:600}
tr:last-child td{border-bottom:0}
.status{display:inline-block;border-radius:999px;padding:0 .55rem;font-size:.82rem;border:1px solid currentColor;white-space:nowrap}
.status.active,.status.ok{color:var(--ok)}
.status.disabled,.status.cooling{color:var(--warn)}
.status.expired{color:var(--bad)}
.actions{display:flex;gap:.4rem}
.figures{display:grid;grid-template-columns:repeat(4,1fr);gap:.8rem;margin-bottom:1.2rem}
.figure{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.7rem 1rem}
.figure b{display:block;font-size:1.5rem;font-variant-numeric:tabular-nums}
.figure span{color:var(--muted);font-size:.85rem}
.chart{margin:.4rem 0}
.chart svg{display:block;width:100%;height:auto}
.chart text{fill:var(--muted);font-size:11px}
.chart .grid{stroke:var(--line)}
.legend{display:flex;flex-wrap:wrap;gap:.3rem 1rem;margin:.4rem 0 .8rem;padding:0;list-style:none;font-size:.85rem}
.legend i{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.35rem;vertical-align:-1px}
dialog{border:1px solid var(--line);border-radius:10px;background:var(--card);color:var(--fg);max-width:min(36rem,calc(100vw - 2rem));padding:1.2rem 1.4rem}
dialog::backdrop{background:rgba(0,0,0,.45)}
.secret{display:block;word-break:break-all;padding:.7rem;border:1px dashed var(--line);border-radius:6px;background:var(--bg);user-select:all;margin:.6rem 0}
.warning{color:var(--warn);font-weight:600}
.buttons{display:flex;gap:.6rem;justify-content:flex-end;margin-top:1rem;flex-wrap:wrap}
@media (max-width:700px){
 .bar{flex-wrap:wrap;padding:.5rem .8rem;gap:.4rem .8rem}
 .bar nav{order:3;flex-basis:100%}
 main{padding:.8rem .6rem 2rem}
 .card{padding:.8rem}
 .figures{grid-template-columns:repeat(2,1fr);gap:.5rem}
 table.cards thead{display:none}
 table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
 table.cards tr{border-bottom:1px solid var(--line);padding:.4rem 0}
 table.cards td{border:0;padding:.15rem .2rem;display:flex;gap:.6rem;justify-content:space-between;text-align:right}
 table.cards td::before{content:attr(data-label);color:var(--muted);text-align:left;flex:none}
 table.cards td.n{text-align:right}
}

"""#
}
