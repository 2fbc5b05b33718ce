using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using VoiceBridge.Audit;
using VoiceBridge.Call;
using VoiceBridge.Legs.Twilio;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Scale;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Scale;

/// <summary>
/// The acceptance test of node-crash recovery (docs/scale-out.md): a real <c>redis-server</c>, two
/// <c>voicebridge serve</c> processes sharing it (chain <c>local</c>: the scripted dialog fills its
/// slots from the whole history, so its answers show what it remembers), and a simulated Twilio
/// behind a failover load balancer calling in with the booking recording. Node A is killed with
/// SIGKILL once the agent has answered the caller's second turn; Twilio's stream dies, Twilio asks
/// the <c>&lt;Connect action&gt;</c>, node B answers it and resumes the call from the checkpoint:
/// the caller's third turn (their name) completes the booking with the day said before the crash,
/// and node B audits the resume with the gap. Loopback only, bounded.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimeCollection.Name)]
public sealed class NodeCrashRecoveryInteropTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(85);
    private static readonly Uri PublicBase = new("http://lb.voicebridge.test");

    [Fact]
    public async Task A_call_whose_node_is_killed_goes_on_on_the_other_node_from_its_last_turn_and_the_gap_is_audited()
    {
        using var bound = new CancellationTokenSource(Bound);
        await using var redis = await RedisServer.StartAsync();
        var key = RandomNumberGenerator.GetBytes(CheckpointCipher.KeyBytes);
        var dirs = new[] { Directory.CreateTempSubdirectory("vb-node-a-").FullName, Directory.CreateTempSubdirectory("vb-node-b-").FullName };
        var started = await Task.WhenAll(
            StartNodeAsync("node-a", dirs[0], redis.Endpoint, key),
            StartNodeAsync("node-b", dirs[1], redis.Endpoint, key));
        await using var nodeA = started[0];
        await using var nodeB = started[1];
        try
        {
            await CrashAndResumeAsync(nodeA, nodeB, redis, key, dirs[1], bound.Token);
        }
        finally
        {
            output.WriteLine("--- node A ---\n" + nodeA.Log + "\n--- node B ---\n" + nodeB.Log);
        }
    }

    private async Task CrashAndResumeAsync(ServeProcess nodeA, ServeProcess nodeB, RedisServer redis, byte[] key, string dirB, CancellationToken bound)
    {
        var callSid = "CA" + Guid.NewGuid().ToString("N");
        await using var state = await RedisScaleOutState.ConnectAsync(redis.Endpoint, "test", TimeProvider.System, NullLogger<RedisScaleOutState>.Instance);
        var cipher = CheckpointCipher.WithKey(key);
        using var twilio = new SimulatedTwilio([nodeA.BaseUri, nodeB.BaseUri], callSid);
        var recording = WavLoader.Load(RepoPaths.Fixture("booking-ulaw8k.wav")).Samples;
        var caller = new FakeTwilioCaller(
            recording,
            new FakeCallerOptions { CallSid = callSid, ReplyIdle = TimeSpan.FromMilliseconds(1200), MaxReplyWait = TimeSpan.FromSeconds(5) },
            TimeProvider.System);
        var call = caller.RunAsync(twilio, new Uri($"ws://{PublicBase.Authority}/twilio/media"), new Dictionary<string, string>(), bound);

        // Node A answers until the agent has replied to the caller's second turn; then SIGKILL.
        var beforeCrash = await UntilAsync(
            async () => await ReadAsync(state, cipher, callSid, bound) is { } c && AnsweredUserTurns(c) >= 2 ? c : null, bound);
        Assert.Equal("node-a", beforeCrash.Node);
        output.WriteLine($"killing node A after: {Describe(beforeCrash)}");
        nodeA.Kill();

        var heard = await call.WaitAsync(bound);
        output.WriteLine($"twiml: {string.Join("\n", twilio.Twiml)}");

        // Twilio went through its action to node B, which took the call up as a resumed stream.
        Assert.Equal(2, twilio.Streams.Count);
        Assert.Equal(nodeB.BaseUri, twilio.Streams[1].Node);
        Assert.Equal("1", twilio.Streams[1].Parameters[TwilioEndpoints.ResumeParameter]);
        Assert.Empty(heard.Errors);

        // The conversation went on from the last turn: the name given to node B completes the
        // booking with the day and time the caller gave node A.
        var final = await UntilAsync(async () => await ReadAsync(state, cipher, callSid, bound) is { Ended: true } c ? c : null, bound);
        output.WriteLine($"final checkpoint: {Describe(final)}");
        Assert.Equal("node-b", final.Node);
        Assert.Equal(1, final.Resumes);
        var turns = final.Turns.ToList();
        var name = turns.FindIndex(t => t.Role == nameof(TurnRole.User) && t.Text.Contains("maria", StringComparison.OrdinalIgnoreCase));
        Assert.True(name > 3, "the caller's name was heard after the turns restored from node A");
        Assert.Contains("book", turns[0].Text, StringComparison.OrdinalIgnoreCase);
        var reply = turns.Skip(name + 1).First(t => t.Role == nameof(TurnRole.Assistant) && t.Text.Contains("maria", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("tomorrow", reply.Text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("afternoon", reply.Text, StringComparison.OrdinalIgnoreCase);

        // Node B reported the gap in its audit log.
        var store = new AuditStore(dirB);
        var resume = await UntilAsync(() => Task.FromResult(store.Query(null, null).FirstOrDefault(e => e.Kind == "resume")), bound);
        output.WriteLine($"resume event: {resume.From} -> {resume.To} {resume.Reason} {resume.DetailsJson}");
        Assert.Equal((callSid, "node-a", "node-b"), (resume.CallId, resume.From, resume.To));
        using var details = JsonDocument.Parse(resume.DetailsJson);
        var gapMs = details.RootElement.GetProperty("gapMs").GetInt64();
        Assert.InRange(gapMs, 1, 20_000);
        Assert.True(details.RootElement.GetProperty("restored").GetBoolean());
        Assert.True(details.RootElement.GetProperty("turnsRestored").GetInt32() >= 4);

        // The call ended normally, so a later stream end would be hung up.
        Assert.Null(await twilio.FetchAsync(TwilioEndpoints.ResumePath));
    }

    /// <summary>User turns the agent answered (an assistant turn with words follows).</summary>
    private static int AnsweredUserTurns(ConversationCheckpoint c)
    {
        var answered = 0;
        for (var i = 0; i < c.Turns.Count; i++)
        {
            if (c.Turns[i].Role == nameof(TurnRole.User) && c.Turns.Skip(i + 1).Any(t => t.Role == nameof(TurnRole.Assistant) && t.Text.Length > 0))
            {
                answered++;
            }
        }

        return answered;
    }

    private static string Describe(ConversationCheckpoint c) =>
        $"{c.Node}, ended {c.Ended}, resumes {c.Resumes}: " + string.Join(" | ", c.Turns.Select(t => $"{t.Role}: {t.Text}"));

    private static async Task<ConversationCheckpoint?> ReadAsync(IScaleOutState state, CheckpointCipher cipher, string callSid, CancellationToken cancellationToken)
    {
        var sealedBytes = await state.LoadCheckpointAsync(callSid, cancellationToken);
        if (sealedBytes is null)
        {
            return null;
        }

        Assert.True(cipher.TryOpen(callSid, sealedBytes, out var json, out var error), error);
        Assert.True(sealedBytes.AsSpan().IndexOf("appointment"u8) < 0, "the checkpoint is encrypted at rest");
        Assert.True(ConversationCheckpoint.TryParse(json, callSid, out var checkpoint, out error), error);
        return checkpoint;
    }

    /// <summary>Polls every 100 ms until <paramref name="read"/> gives a value, within the test's bound.</summary>
    private static async Task<T> UntilAsync<T>(Func<Task<T?>> read, CancellationToken bound)
        where T : class
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (true)
        {
            if (await read() is { } value)
            {
                return value;
            }

            await timer.WaitForNextTickAsync(bound);
        }
    }

    /// <summary>A node: <c>serve</c> with chain local, SIP off, Redis shared, the checkpoint key from the environment.</summary>
    private Task<ServeProcess> StartNodeAsync(string name, string dataDir, string redis, byte[] key) => ServeProcess.StartAsync(
        output,
        name,
        ["--sip-listen", "off", "--chain", "local", "--data-dir", dataDir, "--redis", redis, "--node-name", name, "--public-base-url", PublicBase.ToString().TrimEnd('/')],
        new Dictionary<string, string> { ["VOICEBRIDGE_CHECKPOINT_KEY"] = Convert.ToBase64String(key) });
}
