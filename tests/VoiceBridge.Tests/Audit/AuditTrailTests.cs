using System.CommandLine;
using VoiceBridge.Audit;
using VoiceBridge.Cli;
using VoiceBridge.Engines;
using VoiceBridge.Faults;
using VoiceBridge.Replay;
using VoiceBridge.Tests.Replay;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Audit;

/// <summary>A replayed failover leaves its trail in the data directory, and <c>voicebridge audit</c> prints it.</summary>
[Collection(RealTimeCollection.Name)]
public sealed class AuditTrailTests(ITestOutputHelper output) : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 15, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("vb-audit-trail-").FullName;

    [Fact]
    [Trait("Category", "Interop")]
    public async Task A_replayed_switch_is_audited_and_printed_by_the_audit_verb()
    {
        var file = Path.Combine(_dir, "hours.wav");
        // The fault cuts the first reply at its first audio, often before any of its words are known: that
        // fragment does not answer the turn, the fallback answers in full (CI twice saw no handoffMs to
        // print when it counted as the answer). Six seconds after the words leave the fallback time to.
        ReplayRunnerTests.WriteShortCall(file, "What are your opening hours?", trailingSeconds: 6);
        var dataDir = Path.Combine(_dir, "data");
        var options = new ReplayRunOptions
        {
            OutDir = Path.Combine(_dir, "out"),
            Audit = new AuditStore(dataDir),
            Chain = ChainSpec.Parse("openai-realtime,azure-realtime"),
            Faults = [FaultSpec.Parse("primary:close@turn1")],
        };
        var console = new StringWriter();
        await new ReplayRunner(options, new TestLoggerFactory(output), console).RunAsync([file], CancellationToken.None);
        output.WriteLine(console.ToString());

        var events = SqliteAuditLog.Query(SqliteAuditLog.PathIn(dataDir), null, null);
        var call = Assert.Single(events.Where(e => e.CallId != AuditEvent.NoCall).GroupBy(e => e.CallId));
        // The socket closing opened the primary's shared breaker: a process event, under no call.
        Assert.Contains(events, e => e is { Kind: "breaker", CallId: AuditEvent.NoCall, From: "closed", To: "open" } && e.Reason!.StartsWith("openai-realtime: ", StringComparison.Ordinal));
        var sw = Assert.Single(call, e => e.Kind == "switch");
        Assert.Equal(("openai-realtime", "azure-realtime", "socket-lost"), (sw.From, sw.To, sw.Reason));
        Assert.Equal("call-ended", call.Last().Kind);

        var printed = new StringWriter();
        var exit = await new RootCommand { AuditCommand.Create() }.Parse(["audit", "--data-dir", dataDir]).InvokeAsync(new() { Output = printed, Error = printed });
        var timeline = printed.ToString();
        output.WriteLine(timeline);
        Assert.Equal(0, exit);
        Assert.Contains($"call {call.Key}", timeline);
        Assert.Contains("switch          openai-realtime -> azure-realtime (socket-lost)", timeline);
        Assert.Contains("call-ended", timeline);
        Assert.Contains("handoffMs", timeline);
        Assert.Contains("no events in", AuditVerb(dataDir, "no-such-call", null, out _));
    }

    [Fact]
    public void A_missing_database_is_a_clear_error()
    {
        var printed = AuditVerb(Path.Combine(_dir, "nowhere"), null, null, out var code);
        Assert.Equal(2, code);
        Assert.Contains("no audit log at", printed);
        Assert.Contains("nowhere", printed);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("10x")]
    [InlineData("-5m")]
    public void A_bad_since_names_the_option(string since)
    {
        var printed = AuditVerb(_dir, null, since, out var code);
        Assert.Equal(2, code);
        Assert.Contains($"--since '{since}'", printed);
    }

    [Theory]
    [InlineData("10m", "2026-11-25T14:50:00Z")]
    [InlineData("2h", "2026-11-25T13:00:00Z")]
    [InlineData("1d", "2026-11-24T15:00:00Z")]
    [InlineData("2026-11-25T12:30:00Z", "2026-11-25T12:30:00Z")]
    [InlineData("2026-11-25T12:30:00+01:00", "2026-11-25T11:30:00Z")]
    [InlineData("2026-11-25", "2026-11-25T00:00:00Z")]
    [InlineData("99999999d", "0001-01-01T00:00:00Z")]
    [InlineData("99999999999999999999m", null)]
    public void Since_is_an_iso_time_or_a_time_ago(string since, string? expected) =>
        Assert.Equal(expected is null ? null : DateTimeOffset.Parse(expected), AuditCommand.ParseSince(since, Now));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string AuditVerb(string dataDir, string? call, string? since, out int exit)
    {
        var console = new StringWriter();
        exit = AuditCommand.Run(new AuditStore(dataDir), call, since, Now, console, console);
        return console.ToString();
    }
}
