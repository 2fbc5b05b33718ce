using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Realtime.Protocol;
using VoiceBridge.Faults;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Replay;

/// <summary>
/// A caller who presses a key mid-call, through the whole call path in virtual time: the fake
/// Twilio sends a <c>dtmf</c> message, the key is a turn of the report, the agent answers it, and
/// after a failover the next engine was seeded with it.
/// </summary>
public sealed class DtmfReplayTests(ITestOutputHelper output)
{
    private const string Fixture = "booking-ulaw8k.wav";
    private const string Chain = "openai-realtime,azure-realtime";

    // Near the end of the agent's first reply (3.6-10.0 s): the key's answer is the second spoken response.
    private const long KeyAtMs = 9000;

    [Fact]
    public void A_key_pressed_mid_call_reaches_the_primary_and_after_a_close_at_turn2_the_next_engine_has_it_and_answers_it()
    {
        var (report, sessions) = Run("primary:close@turn2");

        Assert.Empty(report.Failures);
        Assert.Equal(CallStatus.Passed, report.Status);
        var keyIndex = AssertKeyTurn(report);
        var primary = sessions.Single(s => s.Id.StartsWith("sess_openairealtime", StringComparison.Ordinal) && s.CallId is not null);
        Assert.Single(primary.ItemsCreated, IsKeyItem);
        var sw = Assert.Single(report.Switches);
        Assert.Equal(("openai-realtime", "azure-realtime"), (sw.From, sw.To));
        Assert.True(sw.DetectedAtMs > KeyAtMs, $"the switch at {sw.DetectedAtMs} ms came before the key");

        // The next engine was seeded with the key after the reply it came during, and answered it.
        var items = Fallback(sessions).ItemsCreated.ToList();
        Assert.Single(items, IsKeyItem);
        Assert.True(items.FindIndex(IsKeyItem) > items.FindIndex(i => i.Role == RealtimeRole.Assistant), "the key came before the reply it was pressed during");
        var answer = report.Turns[keyIndex + 1];
        Assert.Equal(("assistant", "azure-realtime", "I got 1 on your keypad."), (answer.Role, answer.Engine, answer.Text));
    }

    [Fact]
    public void A_key_the_primary_answered_is_in_the_history_of_the_engine_after_a_later_failover_and_in_the_json_report()
    {
        var (report, sessions) = Run("primary:close@turn3");

        Assert.Empty(report.Failures);
        var keyIndex = AssertKeyTurn(report);
        var answer = report.Turns[keyIndex + 1];
        Assert.Equal(("assistant", "openai-realtime", "I got 1 on your keypad."), (answer.Role, answer.Engine, answer.Text));
        Assert.Single(report.Switches);
        var history = Fallback(sessions).ItemsCreated.Select(i => (i.Role, i.Text)).ToList();
        Assert.Equal(history.IndexOf((RealtimeRole.User, "[DTMF 1]")) + 1, history.IndexOf((RealtimeRole.Assistant, "I got 1 on your keypad.")));

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(report, ReplayReport.Json));
        var key = Assert.Single(json.RootElement.GetProperty("turns").EnumerateArray(), t => t.TryGetProperty("dtmf", out _));
        Assert.Equal(("user", "1", "[DTMF 1]"), (key.GetProperty("role").GetString(), key.GetProperty("dtmf").GetString(), key.GetProperty("text").GetString()));
    }

    private static bool IsKeyItem(RealtimeItem item) =>
        item is { Type: RealtimeItemType.Message, Role: RealtimeRole.User, ContentType: RealtimeContentType.InputText, Text: "[DTMF 1]" };

    /// <summary>The call's one key turn, pressed when the fake carrier was told to; its index in the turns.</summary>
    private static int AssertKeyTurn(ReplayCallReport report)
    {
        var key = Assert.Single(report.Turns, t => t.Dtmf is not null);
        Assert.Equal(("user", "1", "[DTMF 1]", KeyAtMs), (key.Role, key.Dtmf, key.Text, key.StartMs));
        Assert.Equal(4, report.Turns.Count(t => t.Role == "user" && t.Dtmf is null));
        return report.Turns.ToList().IndexOf(key);
    }

    /// <summary>The call's session on the engine switched to (the fallback's simulator names its sessions after it).</summary>
    private static SimulatedSession Fallback(List<SimulatedSession> sessions) =>
        sessions.Single(s => s.Id.StartsWith("sess_azurerealtime", StringComparison.Ordinal) && s.CallId is not null);

    private (ReplayCallReport Report, List<SimulatedSession> Sessions) Run(string fault)
    {
        var path = RepoPaths.Fixture(Fixture);
        var expected = ReplayInputs.Sidecar(path);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var loggers = new TestLoggerFactory(output);
        var chain = ChainSpec.Parse(Chain);
        var faults = new[] { FaultSpec.Parse(fault) };
        var callerOptions = new FakeCallerOptions { Dtmf = [(KeyAtMs, '1')] };
        var (result, sessions) = VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(3), async () =>
        {
            await using var env = ReplayEnvironment.CreateVirtual(chain, new SimulatorOptions(), new CallSessionOptions { DryRunTools = true }, time, loggers, faults);
            var result = await ReplayCall.RunAsync(env, WavLoader.Load(path), expected, callerOptions, time, CancellationToken.None);
            return (result, env.Control.Sessions.ToList());
        });
        var report = ReplayCall.Evaluate(path, result, expected, [.. chain.Engines.Select(e => e.Name)], null);
        foreach (var t in report.Turns)
        {
            output.WriteLine($"{t.Role,-9} {t.Engine,-16} {t.StartMs,6}-{t.EndMs,-6} {(t.Interrupted ? "[cut] " : "")}{t.Text}");
        }

        foreach (var line in report.Switches.Select(s => s.ToString()).Concat(report.Failures))
        {
            output.WriteLine(line);
        }

        return (report, sessions);
    }
}
