using System.Xml.Linq;
using VoiceBridge.Replay;

namespace VoiceBridge.Tests.Replay.Html;

/// <summary>Reports built by hand for the page's tests, and the page read back as XML.</summary>
internal static class HtmlReportSamples
{
    public const string Hostile = "<script>alert('x')</script> & \"quoted\" <img src=x onerror=alert(1)>";

    public static SwitchReport Switch(string from, string to, long? faultAtMs, long detectedAtMs, long? firstAudioAtMs, long? handoffMs = 500) => new(
        from, to, "socket-lost", "close 1006", faultAtMs, detectedAtMs, CallerSpeechEndMs: null, ContinuesReply: false, firstAudioAtMs, handoffMs, DeadAirMs: 120,
        LostCallerAudioMs: 0, ReplayedCallerAudioMs: 340, SeededTurns: 1, RepeatedAgentWords: 0, DuplicateAgentAudioMs: 0,
        OutboundDiscontinuities: 0, HistoryTurnsCarried: 4);

    /// <summary>
    /// A 10 s call (so the timeline's axis is exactly 0 to 10 000 ms) with two switches, a reply
    /// cut by the first, keys pressed, a tool call, and a caller whose words are markup.
    /// </summary>
    public static ReplayCallReport TwoSwitches() => new()
    {
        File = "calls/booking.wav",
        Status = CallStatus.Passed,
        Faults = ["primary:close@turn2", "azure-realtime:error@turn3"],
        Chain = ["openai-realtime", "azure-realtime", "local"],
        CallerAudioMs = 9_000,
        DurationMs = 10_000,
        Turns =
        [
            new TurnReport("user", "openai-realtime", "Hello, I would like to book.", 500, 2_000, null, null, false),
            new TurnReport("assistant", "openai-realtime", "Hi there, what day?", 2_600, 4_000, 600, "Hi there, what day?", false),
            new TurnReport("user", "openai-realtime", Hostile, 4_500, 5_000, null, null, false),
            new TurnReport("assistant", "openai-realtime", "Sure, let me check that for you.", 5_600, 6_000, 600, "Sure, let", true),
            new TurnReport("assistant", "azure-realtime", "Let me check that for you.", 6_800, 8_000, null, "Let me check that for you.", false),
            new TurnReport("user", "azure-realtime", "[DTMF 12#]", 8_200, 8_400, null, null, false, "12#"),
            new TurnReport("assistant", "local", "Thank you.", 9_000, 9_600, 600, "Thank you.", false),
        ],
        ToolCalls = [new ToolCallReport("check_availability", "{\"day\":\"<tomorrow>\"}", "{\"free\":true}", "azure-realtime", 6_500)],
        Switches =
        [
            Switch("openai-realtime", "azure-realtime", 5_900, 5_950, 6_800, 850),
            Switch("azure-realtime", "local", 8_500, 8_700, 9_000, 300),
        ],
        Outbound = new OutboundReport(300, 0, 300, 0),
        Recording = "/tmp/out/booking.call.wav",
    };

    public static ReplayCallReport BadInput() => new()
    {
        File = "calls/<broken>.wav",
        Status = CallStatus.BadInput,
        Errors = ["calls/<broken>.wav: not a WAV file (no RIFF header)"],
    };

    public static ReplayReport Report(params ReplayCallReport[] calls) => new(1, calls, ReplaySummary.Of(calls, "virtual"));

    /// <summary>The page as XML: it must be well-formed after the doctype, whatever the report held.</summary>
    public static XElement Parse(string page)
    {
        const string Doctype = "<!doctype html>";
        Assert.StartsWith(Doctype, page, StringComparison.Ordinal);
        return XElement.Parse(page[Doctype.Length..]);
    }

    public static string? Attr(this XElement e, string name) => e.Attribute(name)?.Value;

    public static bool HasClass(this XElement e, string name) => (e.Attr("class") ?? "").Split(' ').Contains(name);

    public static IEnumerable<XElement> WithClass(this XElement root, string name) => root.Descendants().Where(e => e.HasClass(name));

    public static XElement Timeline(XElement page, int call) => Assert.Single(page.Descendants("svg"), e => e.Attr("id") == $"timeline-{call}");

    public static XElement Lane(XElement timeline, string lane) => Assert.Single(timeline.Elements("g"), g => g.Attr("data-lane") == lane);
}
