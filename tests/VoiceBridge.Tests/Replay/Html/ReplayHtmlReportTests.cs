using System.Globalization;
using System.Text.Json;
using CsCheck;
using VoiceBridge.Call;
using VoiceBridge.Replay;
using VoiceBridge.Replay.Html;
using static VoiceBridge.Tests.Replay.Html.HtmlReportSamples;

namespace VoiceBridge.Tests.Replay.Html;

/// <summary>The replay's HTML page, read back as XML, from reports built by hand.</summary>
public sealed class ReplayHtmlReportTests
{
    [Fact]
    public void The_timeline_has_a_lane_each_for_the_caller_the_agent_and_the_engine_with_every_turn_drawn()
    {
        var page = Parse(ReplayHtmlReport.Render(Report(TwoSwitches())));
        var timeline = Timeline(page, 1);

        var caller = Lane(timeline, "caller").Elements("rect").Where(r => r.HasClass("speech")).ToList();
        Assert.Equal([("500", "2000"), ("4500", "5000"), ("8200", "8400")], caller.Select(r => (r.Attr("data-start-ms"), r.Attr("data-end-ms"))));
        Assert.True(caller[2].HasClass("dtmf"), "the keys are drawn as keys");

        var agent = Lane(timeline, "agent").Elements("rect").Where(r => r.HasClass("speech")).ToList();
        Assert.Equal(4, agent.Count);
        var cut = Assert.Single(agent, r => r.HasClass("cut"));
        Assert.Equal("5600", cut.Attr("data-start-ms"));

        var engines = Lane(timeline, "engine").Elements("rect").Where(r => r.HasClass("engine"))
            .Select(r => (r.Attr("data-engine"), r.Attr("data-start-ms"), r.Attr("data-end-ms"), r.HasClass("handoff")));
        Assert.Equal(
            [
                ("openai-realtime", "0", "5950", false), ("azure-realtime", "5950", "6800", true), ("azure-realtime", "6800", "8700", false),
                ("local", "8700", "9000", true), ("local", "9000", "10000", false),
            ],
            engines);
    }

    [Fact]
    public void Each_switch_has_one_fault_one_detection_and_one_first_audio_marker_where_they_happened()
    {
        var call = TwoSwitches();
        var timeline = Timeline(Parse(ReplayHtmlReport.Render(Report(call))), 1);

        foreach (var (sw, n) in call.Switches.Select((sw, i) => (sw, i + 1)))
        {
            foreach (var (kind, ms) in new[] { ("fault", sw.FaultAtMs!.Value), ("detection", sw.DetectedAtMs), ("first-audio", sw.FirstFallbackAudioAtMs!.Value) })
            {
                var marker = Assert.Single(timeline.Elements("line"), l => l.HasClass("marker") && l.HasClass(kind) && l.Attr("data-switch") == $"{n}");
                Assert.Equal(ms.ToString(CultureInfo.InvariantCulture), marker.Attr("data-ms"));

                // The call's axis runs 0 to 10 000 ms over the plot's width.
                var expected = TimelineSvg.Left + ms * TimelineSvg.PlotWidth / 10_000;
                Assert.Equal(expected, double.Parse(marker.Attr("x1")!, CultureInfo.InvariantCulture), tolerance: 0.051);
                Assert.Equal(marker.Attr("x1"), marker.Attr("x2"));
            }
        }

        // The first fault, 5 900 ms into a 10 s call on a 950 px plot from x = 130.
        var first = Assert.Single(timeline.Elements("line"), l => l.HasClass("fault") && l.Attr("data-switch") == "1");
        Assert.Equal("690.5", first.Attr("x1"));
        Assert.Equal(6, timeline.Elements("line").Count(l => l.HasClass("marker")));
    }

    [Fact]
    public void A_switch_without_a_known_fault_or_fallback_audio_draws_only_its_detection()
    {
        var call = TwoSwitches() with { Switches = [Switch("openai-realtime", "azure-realtime", null, 5_950, null, null)] };
        var timeline = Timeline(Parse(ReplayHtmlReport.Render(Report(call))), 1);

        var marker = Assert.Single(timeline.Elements("line"), l => l.HasClass("marker"));
        Assert.True(marker.HasClass("detection"));
    }

    [Fact]
    public void Every_failover_figure_of_each_switch_is_printed_beside_the_timeline()
    {
        var page = Parse(ReplayHtmlReport.Render(Report(TwoSwitches())));
        var table = Assert.Single(page.Descendants("table"), t => t.HasClass("switches"));
        string[] figures =
        [
            "handoffMs", "deadAirMs", "lostCallerAudioMs", "replayedCallerAudioMs", "seededTurns", "repeatedAgentWords",
            "duplicateAgentAudioMs", "outboundDiscontinuities", "historyTurnsCarried", "faultAtMs", "detectedAtMs", "firstFallbackAudioAtMs",
            "continuesReply",
        ];
        foreach (var figure in figures)
        {
            var row = Assert.Single(table.Elements("tr"), r => r.Attr("data-figure") == figure);
            Assert.Equal(2, row.Elements("td").Count());
        }

        var handoff = table.Elements("tr").Single(r => r.Attr("data-figure") == "handoffMs").Elements("td").Select(td => td.Value);
        Assert.Equal(["850 ms", "300 ms"], handoff);
        var detection = table.Elements("tr").Single(r => r.Attr("data-figure") == "detection (detectedAtMs - faultAtMs)").Elements("td").Select(td => td.Value);
        Assert.Equal(["50 ms", "200 ms"], detection);
        var labels = Timeline(page, 1).Elements("text").Where(t => t.HasClass("switch-label")).ToList();
        Assert.Equal(2, labels.Count);
        Assert.Contains("handoff 850 ms", labels[0].Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_switch_has_a_close_up_with_its_markers_its_handoff_span_and_every_figure_beside_it()
    {
        var call = TwoSwitches() with { Switches = [TwoSwitches().Switches[0] with { CallerSpeechEndMs = 6_100 }, TwoSwitches().Switches[1]] };
        var page = Parse(ReplayHtmlReport.Render(Report(call)));

        var first = Assert.Single(page.Descendants("svg"), s => s.Attr("id") == "switch-1-1");
        Assert.Equal(["caller", "agent", "engine"], first.Elements("g").Select(g => g.Attr("data-lane")).OfType<string>());
        Assert.Equal(["fault", "detection", "first-audio"], first.Elements("line").Where(l => l.HasClass("marker")).Select(l => l.Attr("class")!.Split(' ')[1]));
        Assert.Equal(
            ["fault 5900 ms", "detected 5950 ms (socket-lost)", "first audio from azure-realtime 6800 ms"],
            first.Elements("text").Where(t => t.HasClass("marker-label")).Select(t => t.Value));

        // The handoff FAILOVER.md measures starts at the later of the detection and the caller's last word.
        var span = Assert.Single(first.Elements("g"), g => g.HasClass("handoff-span"));
        Assert.Equal(("6100", "6800"), (span.Attr("data-start-ms"), span.Attr("data-end-ms")));

        var figures = Assert.Single(first.Elements("g"), g => g.HasClass("switch-figures")).Elements("text")
            .ToDictionary(t => t.Attr("data-figure")!, t => t.Elements().Last().Value);
        Assert.Equal("850 ms", figures["handoffMs"]);
        Assert.Equal("50 ms", figures["detection"]);
        Assert.Equal("120 ms", figures["deadAirMs"]);
        Assert.Equal("340 ms", figures["replayedCallerAudioMs"]);
        Assert.Equal("4", figures["historyTurnsCarried"]);
        string[] all = ["lostCallerAudioMs", "seededTurns", "repeatedAgentWords", "duplicateAgentAudioMs", "outboundDiscontinuities"];
        Assert.All(all, name => Assert.True(figures.ContainsKey(name), name));

        // The close-up spans the seconds around the switch, not the call.
        var lanes = first.Elements("g").Where(g => g.Attr("data-lane") is not null).SelectMany(g => g.Elements("rect")).Where(r => !r.HasClass("lane-bg"));
        Assert.DoesNotContain(lanes, r => r.Attr("data-end-ms") == "2000");
        Assert.Single(page.Descendants("svg"), s => s.Attr("id") == "switch-1-2");
    }

    [Fact]
    public void The_faults_injected_into_a_call_are_listed_with_it_and_in_the_run_header()
    {
        var page = Parse(ReplayHtmlReport.Render(Report(TwoSwitches(), BadInput())));

        var section = page.Descendants("section").Single(s => s.Attr("id") == "call-1");
        Assert.Equal(["primary:close@turn2", "azure-realtime:error@turn3"], section.Descendants("code").Where(c => c.HasClass("fault")).Select(c => c.Value));
        var rows = page.Descendants("table").Single(t => t.HasClass("calls")).Elements("tr").Skip(1).Select(r => r.Elements("td").ElementAt(2).Value);
        Assert.Equal(["primary:close@turn2 azure-realtime:error@turn3", "none"], rows);
    }

    [Fact]
    public void A_transcript_full_of_markup_comes_out_as_text()
    {
        var call = TwoSwitches() with { Errors = [Hostile], Failures = [Hostile], Chain = [Hostile], Faults = [Hostile] };
        var html = ReplayHtmlReport.Render(Report(call, BadInput()));

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", html, StringComparison.Ordinal);
        var page = Parse(html);
        Assert.Empty(page.Descendants("script"));
        Assert.Empty(page.Descendants("img"));
        var turn = page.Descendants("table").Single(t => t.HasClass("transcript")).Elements("tr").ElementAt(3);
        Assert.Equal(Hostile, turn.Elements("td").Single(td => td.HasClass("text")).Value);
        Assert.Contains(page.Descendants("li"), li => li.Value == Hostile);
        Assert.Contains(page.Descendants("code"), c => c.Value == "{\"day\":\"<tomorrow>\"}");
    }

    [Fact]
    public void Any_text_a_caller_or_provider_produces_leaves_the_page_well_formed_and_reads_back_as_it_was()
    {
        // Characters no document may hold come out as U+FFFD; line breaks are normalised by any parser.
        static string Expected(string s) => new([.. s.Select(c => (c is '\t' or '\n' || (c >= ' ' && c < '\uFFFE')) ? c : '\uFFFD')]);

        Gen.Char['\0', '\uD7FF'].Array[0, 40].Select(cs => "x" + new string(cs).Replace('\r', '\n') + "x").Sample(text =>
        {
            var call = TwoSwitches() with { Turns = [new TurnReport("user", text, text, 0, 100, null, null, false)] };
            var page = Parse(ReplayHtmlReport.Render(Report(call)));
            var cell = page.Descendants("td").Single(td => td.HasClass("text"));
            Assert.Equal(Expected(text), cell.Value);
        }, iter: 300, threads: 1);
    }

    [Fact]
    public void A_call_whose_recording_was_bad_input_shows_its_error_and_no_timeline()
    {
        var page = Parse(ReplayHtmlReport.Render(Report(TwoSwitches(), BadInput())));

        var section = Assert.Single(page.Descendants("section"), s => s.Attr("id") == "call-2");
        Assert.Equal("bad-input", section.Attr("data-status"));
        Assert.Empty(section.Descendants("svg"));
        Assert.Single(section.Descendants("p"), p => p.HasClass("no-timeline"));
        Assert.Equal("calls/<broken>.wav: not a WAV file (no RIFF header)", Assert.Single(section.Descendants("ul").Single(u => u.HasClass("errors")).Elements("li")).Value);
    }

    [Fact]
    public void A_sip_call_shows_the_bridge_s_rtp_figures_and_what_the_phone_saw()
    {
        var media = new VoiceBridge.Legs.Rtp.RtpMediaFigures(
            Ssrc: 305419896, LocalRtpPort: 40000, PacketsSent: 1500, AgentFramesSent: 700, PacketsReceived: 1490, BadPackets: 2, UnknownPayloadTypePackets: 1,
            WrongSizePackets: 0, DtmfDigits: 3, DtmfDigitsSent: 0, RtcpReceived: 6, Relatches: 0, ForeignPackets: 0, JitterTargetDelayMs: 60, ConcealedMs: 40,
            LatePackets: 4, DuplicatePackets: 1, DiscardedPackets: 5, OverflowFrames: 0);
        var call = TwoSwitches() with { Leg = "sip", Media = media, Rtp = new FakeRtpObservation(1, 1499, 0, 0, 20, "sip:<desk>@example.com") };

        var section = Parse(ReplayHtmlReport.Render(Report(call))).Descendants("section").Single();

        Dictionary<string, string> Figures(string kind) => section.Descendants("dl").Single(d => d.HasClass(kind)).Elements("div")
            .ToDictionary(d => d.Element("dt")!.Value, d => d.Element("dd")!.Value);
        var bridge = Figures("media");
        Assert.Equal(("305419896", "1500", "1490", "60 ms", "5"), (bridge["ssrc"], bridge["packets sent"], bridge["packets received"], bridge["jitter target delay"], bridge["discarded packets"]));
        var phone = Figures("rtp");
        Assert.Equal(("1", "1499", "0", "sip:<desk>@example.com"), (phone["SSRCs"], phone["packets"], phone["sequence gaps"], phone["referred to"]));
    }

    [Fact]
    public void A_shadow_engine_s_comparison_is_shown_turn_by_turn_when_the_call_had_one()
    {
        var turns = new[]
        {
            new ShadowTurn(1, 500, 2_000, new ShadowSide("openai-realtime", "Hello, I would like to book.", 600, 1_400, 4, "Hi there, what day?"),
                new ShadowSide("local", Hostile, 450, 1_200, 3, "Hello! Which day?"), 0.25),
            new ShadowTurn(2, 4_500, 5_000, new ShadowSide("azure-realtime", null, null, 0, 0, ""), new ShadowSide("local", null, null, 0, 0, ""), null),
        };
        var shadow = new ShadowReport("local", turns, 1, 0.25, 600, 450, 1, "connection ended", 9_000, 1, 0);
        var page = Parse(ReplayHtmlReport.Render(Report(TwoSwitches() with { Shadow = shadow }, TwoSwitches())));

        var table = Assert.Single(page.Descendants("table"), t => t.HasClass("shadow-turns"));
        var rows = table.Elements("tr").Skip(1).ToList();
        Assert.Equal(["1", "1", "2", "2"], rows.Select(r => r.Attr("data-turn")));
        Assert.Equal(Hostile, rows[1].Elements("td").Single(td => td.HasClass("text")).Value);
        Assert.Equal("0.25", rows[0].Elements("td").Single(td => td.HasClass("wer")).Value);
        var figures = page.Descendants("dl").Single(d => d.HasClass("shadow")).Elements("div").ToDictionary(d => d.Element("dt")!.Value, d => d.Element("dd")!.Value);
        Assert.Equal(("0.25", "450 ms", "connection ended (at 9000 ms)"), (figures["mean word error rate"], figures["shadow first audio p50"], figures["shadow failed"]));

        // Only the call that had a shadow shows one.
        Assert.Single(page.Descendants("dl"), d => d.HasClass("shadow"));
    }

    [Fact]
    public void An_empty_report_is_a_page_with_a_header_and_nothing_to_plot()
    {
        var page = Parse(ReplayHtmlReport.Render(Report()));

        Assert.Empty(page.Descendants("section"));
        Assert.Empty(page.Descendants("svg"));
        var plots = page.Descendants("figure").Where(f => f.HasClass("distribution")).ToList();
        Assert.Equal(["handoff", "detection"], plots.Select(f => f.Attr("data-name")));
        Assert.All(plots, f => Assert.Equal("0", f.Attr("data-count")));
    }

    [Fact]
    public void A_call_without_switches_has_one_engine_for_its_whole_length_and_no_markers()
    {
        var call = TwoSwitches() with { Switches = [], Turns = [.. TwoSwitches().Turns.Where(t => t.Engine == "openai-realtime")], DurationMs = 7_000 };
        var page = Parse(ReplayHtmlReport.Render(Report(call)));
        var timeline = Timeline(page, 1);

        Assert.Equal(3, timeline.Elements("g").Count(g => g.Attr("data-lane") is not null));
        Assert.DoesNotContain(timeline.Elements("line"), l => l.HasClass("marker"));
        var engine = Assert.Single(Lane(timeline, "engine").Elements("rect"), r => r.HasClass("engine"));
        Assert.Equal(("openai-realtime", "0", "7000"), (engine.Attr("data-engine"), engine.Attr("data-start-ms"), engine.Attr("data-end-ms")));
        Assert.Single(page.Descendants("p"), p => p.HasClass("no-switches"));
        Assert.All(page.Descendants("figure"), f => Assert.Equal("0", f.Attr("data-count")));
    }

    [Fact]
    public void The_run_header_plots_every_switch_handoff_and_detection_with_p50_and_p95_by_nearest_rank()
    {
        // 20 switches over two calls: handoffs 100..2000 ms, detections 10..200 ms.
        ReplayCallReport Call(int first) => TwoSwitches() with
        {
            Switches = [.. Enumerable.Range(first, 10).Select(i => Switch("a", "b", i * 1_000, (i * 1_000) + (i * 10), (i * 1_000) + 400, i * 100))],
            DurationMs = 25_000,
        };
        var page = Parse(ReplayHtmlReport.Render(Report(Call(1), Call(11))));

        var handoff = page.Descendants("figure").Single(f => f.Attr("data-name") == "handoff");
        Assert.Equal("20", handoff.Attr("data-count"));
        Assert.Equal(20, handoff.Descendants("circle").Count());
        Assert.Equal("1000", handoff.Descendants("line").Single(l => l.HasClass("p50")).Attr("data-ms"));
        Assert.Equal("1900", handoff.Descendants("line").Single(l => l.HasClass("p95")).Attr("data-ms"));
        var detection = page.Descendants("figure").Single(f => f.Attr("data-name") == "detection");
        Assert.Equal("100", detection.Descendants("line").Single(l => l.HasClass("p50")).Attr("data-ms"));
        Assert.Equal("190", detection.Descendants("line").Single(l => l.HasClass("p95")).Attr("data-ms"));
    }

    [Fact]
    public void A_report_read_back_from_json_with_lists_missing_or_null_still_renders()
    {
        const string Json = """
            { "schemaVersion": 1, "calls": [ { "file": "a.wav", "status": "internal-error", "turns": null, "switches": null, "chain": null, "errors": null, "failures": null, "toolCalls": null } ] }
            """;
        var report = JsonSerializer.Deserialize<ReplayReport>(Json, ReplayReport.Json)!;

        var page = Parse(ReplayHtmlReport.Render(report));

        Assert.Equal("internal-error", Assert.Single(page.Descendants("section")).Attr("data-status"));
    }

    [Fact]
    public void Write_puts_the_page_in_a_new_folder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "html-report-" + Guid.NewGuid().ToString("N"));
        try
        {
            var path = Path.Combine(folder, "run", "report.html");
            var report = Report(TwoSwitches());

            ReplayHtmlReport.Write(report, path);

            Assert.Equal(ReplayHtmlReport.Render(report), File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_page_fetches_nothing_and_runs_nothing()
    {
        var page = Parse(ReplayHtmlReport.Render(Report(TwoSwitches(), BadInput())));

        Assert.DoesNotContain(page.Descendants(), e => e.Name.LocalName is "script" or "link" or "img" or "iframe" or "object");
        Assert.DoesNotContain(page.Descendants().SelectMany(e => e.Attributes()), a => a.Name.LocalName is "src" or "href" && !a.Value.StartsWith('#'));
        var policy = page.Descendants("meta").Single(m => m.Attr("http-equiv") == "Content-Security-Policy");
        Assert.StartsWith("default-src 'none'", policy.Attr("content"), StringComparison.Ordinal);
    }
}
