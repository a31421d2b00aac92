/// The dashboard's stylesheet and script, written here and served by the binary (no CDN, no npm).
enum DashboardAssets {
    static let css = """
        *{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#0f172a;background:#f1f5f9}
        header{background:#0f172a;color:#fff;padding:10px 20px;display:flex;gap:24px;align-items:center}
        header a{color:#cbd5e1;text-decoration:none;font-weight:500}header a.current{color:#fff;border-bottom:2px solid #38bdf8}
        header .brand{font-weight:700;color:#fff;margin-right:12px}
        main{padding:20px;max-width:1400px}h1{font-size:20px;margin:0 0 14px}h2{font-size:16px;margin:22px 0 8px}
        .banner{background:#fef2f2;border:1px solid #dc2626;color:#991b1b;padding:10px 14px;border-radius:6px;margin-bottom:14px}
        .notice{background:#eff6ff;border:1px solid #2563eb;color:#1e3a8a;padding:10px 14px;border-radius:6px;margin-bottom:14px}
        table{border-collapse:collapse;background:#fff;width:100%;box-shadow:0 1px 2px #0001}
        th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e2e8f0;vertical-align:top}th{background:#f8fafc;font-weight:600}
        td.num{text-align:right;font-variant-numeric:tabular-nums}
        .status{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff}
        .status-completed{background:#16a34a}.status-failed{background:#dc2626}.status-waiting{background:#2563eb}
        .status-running{background:#0891b2}.status-cancelled{background:#6b7280}
        .card{background:#fff;border-radius:8px;padding:14px;box-shadow:0 1px 2px #0001;margin-bottom:16px;overflow-x:auto}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:16px}
        .counts{display:grid;grid-template-columns:repeat(6,1fr);gap:8px;margin:8px 0}
        .counts div{background:#f8fafc;border-radius:6px;padding:6px;text-align:center}.counts b{display:block;font-size:18px}
        form.inline{display:inline-block;margin:0 8px 8px 0}form.filters{display:flex;gap:8px;flex-wrap:wrap;margin-bottom:12px;align-items:end}
        label{font-size:12px;color:#475569;display:flex;flex-direction:column;gap:2px}
        input,select,button{font:inherit;padding:4px 8px;border:1px solid #cbd5e1;border-radius:4px;background:#fff}
        button{background:#0f172a;color:#fff;border-color:#0f172a;cursor:pointer}button.danger{background:#b91c1c;border-color:#b91c1c}
        .error{color:#b91c1c;white-space:pre-wrap}code,pre{font-family:ui-monospace,Menlo,monospace;font-size:12px}
        pre{background:#f8fafc;padding:10px;border-radius:6px;overflow:auto;max-height:420px}
        .graph text{font-size:12px;font-family:ui-monospace,Menlo,monospace}.graph .edge-label{fill:#475569;font-size:11px}
        .gantt{position:relative}.gantt .row{display:flex;align-items:center;height:24px;border-bottom:1px solid #f1f5f9}
        .gantt .name{width:220px;flex:none;font-family:ui-monospace,monospace;font-size:12px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
        .gantt .track{position:relative;flex:1;height:16px;background:#f8fafc}
        .gantt .bar{position:absolute;top:2px;height:12px;border-radius:3px;min-width:2px}
        .bar.ok{background:#16a34a}.bar.failed{background:#dc2626}.bar.retry{background:#f59e0b}
        .legend span{display:inline-block;margin-right:12px}.legend i{display:inline-block;width:12px;height:12px;border-radius:3px;vertical-align:middle;margin-right:4px}
        .muted{color:#64748b}.pager{margin-top:10px}a{color:#0369a1}
        """

    /// Live regions (`data-live-url`) are refreshed by polling; when the server reports another
    /// status than the page was drawn with, the page reloads (its forms change with the status).
    static let js = """
        (function(){
          document.querySelectorAll('[data-live-url]').forEach(function(el){
            var url=el.getAttribute('data-live-url');var every=parseInt(el.getAttribute('data-interval')||'2000',10);
            var status=el.getAttribute('data-status');
            function tick(){
              fetch(url,{credentials:'same-origin',headers:{'Accept':'text/html'}}).then(function(r){
                var s=r.headers.get('X-Flowcraft-Status');
                if(status&&s&&s!==status){location.reload();return null;}
                return r.ok?r.text():null;
              }).then(function(html){
                if(html!==null&&html!==undefined){el.innerHTML=html;}
                if(!status||status==='running'||status==='waiting'||status==='queues'){setTimeout(tick,every);}
              }).catch(function(){setTimeout(tick,every*2);});
            }
            setTimeout(tick,every);
          });
        })();
        """
}
