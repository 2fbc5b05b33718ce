using VoiceBridge.Call;
using VoiceBridge.Media;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Call;

/// <summary>
/// The consent prompt (<c>serve --consent-prompt</c>): played first, and the agent starts listening
/// only once the caller has heard it (the carrier echoed its mark), or at the latest 2 s after its
/// length when no echo comes; nothing the caller said over it reaches the engine.
/// </summary>
public sealed class CallSessionConsentTests(ITestOutputHelper output)
{
    private static readonly byte[] Prompt = Enumerable.Repeat((byte)0x55, CallClock.SampleRate).ToArray();

    [Fact]
    public void The_agent_starts_listening_once_the_prompt_has_been_heard()
    {
        var h = new CallHarness(output, options: new CallSessionOptions { Consent = Prompt });
        long startedAt = -1;
        h.Run(async () =>
        {
            var feed = h.FeedAsync(RecordingLegOutput.Silence(3 * CallClock.SampleRate));
            await h.At(900);
            Assert.Equal(0, h.EnginesCreated);
            var sent = h.Leg.AllAudio();
            Assert.True(sent.Length > CallClock.SampleRate / 2, "the prompt is playing");
            Assert.Equal(Prompt.Take(sent.Length), sent);

            await h.At(1100);
            var echoed = new HashSet<string>(StringComparer.Ordinal);
            await h.EchoMarks(h.Leg.Frames.Count, echoed);
            await h.At(1120);
            Assert.Equal(1, h.EnginesCreated);
            startedAt = h.Session.NowMs;
            await h.Engine.Ready();
            await feed;
        });

        Assert.NotEmpty(h.Engine.CallerAudio);
        Assert.True(h.Engine.CallerAudio.Min(c => c.Position) >= 1000 * CallClock.SampleRate / 1000, "no caller audio from under the prompt reached the engine");
        Assert.True(startedAt >= 1100);
    }

    [Fact]
    public void Without_an_echo_the_agent_starts_2_s_after_the_prompt_length()
    {
        var h = new CallHarness(output, options: new CallSessionOptions { Consent = Prompt });
        h.Run(async () =>
        {
            var feed = h.FeedAsync(RecordingLegOutput.Silence(4 * CallClock.SampleRate));
            await h.At(2900);
            Assert.Equal(0, h.EnginesCreated);
            await h.At(3100);
            Assert.Equal(1, h.EnginesCreated);
            await feed;
        });
    }

    [Fact]
    public void Without_a_prompt_the_agent_starts_at_once()
    {
        var h = new CallHarness(output);
        h.Run(async () =>
        {
            await h.At(20);
            Assert.Equal(1, h.EnginesCreated);
        });
    }
}
