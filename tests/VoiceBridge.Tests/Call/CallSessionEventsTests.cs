using VoiceBridge.Call;
using VoiceBridge.Engines;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Call;

/// <summary>
/// What a call tells its watchers, on a fake clock: captions of both sides with their engine, the
/// engine answering, an operator's drill as a switch (detected, then with its handoff), the end.
/// </summary>
public sealed class CallSessionEventsTests(ITestOutputHelper output)
{
    private static readonly byte[] OneBurst = TestAudio.Concat(TestAudio.Silence(500), TestAudio.Tone(1000), TestAudio.Silence(1500));

    [Fact]
    public void A_drill_moves_the_call_and_the_feed_shows_captions_engines_and_the_switch_in_order()
    {
        var chain = new ScriptedChain("a", "b");
        var h = new CallHarness(output, chain: chain);
        using var watcher = h.Session.Events.Subscribe()!;

        var summary = h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await a.Ready();
            var feed = h.FeedAsync(OneBurst);
            await h.At(605);
            await a.SpeechStarted("u1", 3840);
            await h.At(1805);
            await a.SpeechStopped("u1", 12480);
            await h.At(2105);
            await a.UserTranscript("u1", "book a cleaning");
            await Reply(a, "a0", "Which day suits you?");
            await feed;
            await h.At(3500);

            await h.Session.DrillAsync("test operator", CancellationToken.None);
            var b = await chain.Engine(1);
            await b.Ready();
            await h.At(3800);
            await Reply(b, "b0", "Friday works.");
            await h.At(5000);
        });

        var sw = Assert.Single(summary.Switches!);
        Assert.Equal(("a", "b", "drill"), (sw.From, sw.To, sw.Reason));
        Assert.Empty(chain.Failures);

        var events = new List<CallEvent>();
        while (watcher.Reader.TryRead(out var e))
        {
            events.Add(e);
        }

        Assert.True(watcher.Reader.Completion.IsCompleted);
        Assert.Equal(
            [
                "engine a", "caption caller a book a cleaning", "caption agent a Which day suits you?", "switch a>b drill -",
                "engine b", "caption agent b Friday works.", $"switch a>b drill {sw.HandoffMs}", "ended",
            ],
            events.Select(Describe));
        Assert.NotNull(sw.HandoffMs);
        Assert.All(events.Where(e => e.Kind == CallEventKind.Caption), e => Assert.True(e.Final));
        Assert.Equal(events.Select(e => e.AtMs).Order(), events.Select(e => e.AtMs));
    }

    private static async Task Reply(ScriptedEngine engine, string itemId, string text)
    {
        await engine.Post(new EngineEvent { Kind = EngineEventKind.ResponseStarted, Generation = engine.Generation, ResponseId = "r-" + itemId });
        await engine.AgentTranscript(itemId, text);
        await engine.AgentAudio(itemId, TestAudio.Pattern(4800));
        await engine.AgentAudioDone(itemId);
        await engine.ResponseDone("r-" + itemId);
    }

    private static string Describe(CallEvent e) => e.Kind switch
    {
        CallEventKind.Engine => $"engine {e.Engine}",
        CallEventKind.Caption => $"caption {e.Role} {e.Engine} {e.Text}",
        CallEventKind.Switch => $"switch {e.From}>{e.To} {e.Reason} {e.HandoffMs?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}",
        _ => "ended",
    };
}
