using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;
using VoiceBridge.Engines.Cascade.Remote;
using VoiceBridge.Engines.Realtime.Protocol;
using VoiceBridge.Hosting;
using VoiceBridge.Media;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Engines.Realtime;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Engines.Cascade.Remote;

/// <summary>The GA transcription session on the Realtime codec: what we send, and the transcription events we read.</summary>
public sealed class OpenAiTranscriptionCodecTests
{
    [Fact]
    public void Transcription_session_update_is_the_GA_shape()
    {
        var session = OpenAiTranscriptionSpeechToText.Session(new OpenAiTranscriptionOptions());

        Assert.Equal(
            """{"type":"session.update","session":{"type":"transcription","audio":{"input":{"format":{"type":"audio/pcmu"},"turn_detection":null,"transcription":{"model":"gpt-4o-transcribe"}}},"include":["item.input_audio_transcription.logprobs"]}}""",
            Wire.Text(w => RealtimeClientWriter.WriteSessionUpdate(w, session)));
    }

    [Fact]
    public void Transcription_server_vad_has_no_response_switches()
    {
        var session = new RealtimeSessionConfig { Type = RealtimeSessionType.Transcription, InputFormat = RealtimeAudioFormat.Pcma, TurnDetection = new() };

        Assert.Equal(
            """{"type":"session.update","session":{"type":"transcription","audio":{"input":{"format":{"type":"audio/pcma"},"turn_detection":{"type":"server_vad","threshold":0.5,"prefix_padding_ms":300,"silence_duration_ms":500},"transcription":{"model":"gpt-4o-mini-transcribe"}}},"include":["item.input_audio_transcription.logprobs"]}}""",
            Wire.Text(w => RealtimeClientWriter.WriteSessionUpdate(w, session)));
    }

    [Fact]
    public void Transcription_session_round_trips_through_both_parsers()
    {
        var session = OpenAiTranscriptionSpeechToText.Session(new OpenAiTranscriptionOptions { Model = "gpt-4o-mini-transcribe" });

        var update = Wire.Client(w => RealtimeClientWriter.WriteSessionUpdate(w, session)).Session!;
        var echo = Wire.Json(w => RealtimeServerWriter.WriteSessionUpdated(w, "evt_1", "sess_1", "unused", session)).GetProperty("session");

        Assert.Equal(session, update.Values with { Tools = session.Tools });
        Assert.Equal(RealtimeSessionFields.InputFormat | RealtimeSessionFields.TurnDetection | RealtimeSessionFields.Transcription, update.Present);
        Assert.Equal("realtime.transcription_session", echo.GetProperty("object").GetString());
        Assert.False(echo.TryGetProperty("model", out _));
        Assert.Equal(session, Wire.Server(w => RealtimeServerWriter.WriteSessionUpdated(w, "evt_1", "sess_1", "unused", session)).Session! with { Tools = session.Tools });
    }

    [Fact]
    public void Transcription_events_carry_delta_transcript_and_mean_logprob()
    {
        var delta = Wire.Server("""{"type":"conversation.item.input_audio_transcription.delta","event_id":"e1","item_id":"item_1","content_index":0,"delta":"Hel"}""");
        var completed = Wire.Server(w => RealtimeServerWriter.WriteInputTranscriptionCompleted(w, "e2", "item_1", 0, "Hello there", [("Hello", -0.1), (" there", -0.3)]));
        var bare = Wire.Server(w => RealtimeServerWriter.WriteInputTranscriptionCompleted(w, "e3", "item_2", 0, "Hi"));

        Assert.Equal((RealtimeServerEventType.InputAudioTranscriptionDelta, "item_1", "Hel"), (delta.Type, delta.ItemId, delta.Delta));
        Assert.Equal((RealtimeServerEventType.InputAudioTranscriptionCompleted, "Hello there"), (completed.Type, completed.Transcript));
        Assert.Equal(-0.2, completed.MeanLogprob!.Value, 9);
        Assert.Null(bare.MeanLogprob);
        Assert.StartsWith("conversation.item.input_audio_transcription.delta: missing required field 'delta'",
            Wire.ServerError("""{"type":"conversation.item.input_audio_transcription.delta","item_id":"i"}"""), StringComparison.Ordinal);
    }
}

/// <summary>The OpenAI transcription client over real loopback sockets: against the Realtime simulator, and against misbehaving providers.</summary>
[Trait("Category", "Interop")]
public sealed class OpenAiTranscriptionInteropTests
{
    [Fact]
    public async Task Fixture_utterance_gives_the_hint_as_one_final_after_end_of_utterance()
    {
        var simulator = new RealtimeSimulator(new SimulatorOptions(), TimeProvider.System, NullLogger<RealtimeSimulator>.Instance);
        simulator.Control.AddTranscriptHints([FixtureSpeech.BookingFirstUtterance]);
        await using var server = await LoopbackServer.StartAsync(app => app.MapSimulator(simulator));
        await using var stt = NewClient(server.WebSocketBase, simulated: true);
        var events = new SttRecorder();
        await stt.StartAsync(events, CancellationToken.None);
        var sent = 0L;
        foreach (var frame in FirstUtteranceFrames())
        {
            stt.SendAudio(frame);
            sent += frame.Length;
        }

        stt.EndOfUtterance();
        var final = await events.FinalAsync();

        Assert.Equal(FixtureSpeech.BookingFirstUtterance, final.Transcript!.Text);
        Assert.Equal(Math.Exp(-0.05), final.Transcript.Confidence!.Value, 9);
        var entries = events.Log.Snapshot();
        Assert.DoesNotContain(entries, e => e.Error is not null);
        Assert.Single(entries, e => e.Transcript!.IsFinal);
        Assert.All(entries.SkipLast(1), e => Assert.StartsWith(e.Transcript!.Text, FixtureSpeech.BookingFirstUtterance, StringComparison.Ordinal));
        var session = Assert.Single(simulator.Control.Sessions);
        Assert.Equal(sent, session.ReceivedAudioBytes);
        Assert.Equal(0, session.Responses);
    }

    [Fact]
    public async Task Client_connects_with_intent_and_bearer_and_sends_session_audio_and_commit()
    {
        var seen = new EventLog<string>(s => s);
        string? query = null;
        string? authorization = null;
        await using var server = await LoopbackServer.StartAsync(app =>
        {
            app.UseWebSockets();
            app.Map(WebHosts.RealtimePath, async ctx =>
            {
                (query, authorization) = (ctx.Request.QueryString.Value, ctx.Request.Headers.Authorization);
                using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
                var buffer = new byte[8192];
                for (var r = await socket.ReceiveAsync(buffer, ctx.RequestAborted); r.MessageType != WebSocketMessageType.Close; r = await socket.ReceiveAsync(buffer, ctx.RequestAborted))
                {
                    seen.Add(Encoding.UTF8.GetString(buffer, 0, r.Count));
                }
            });
        });
        await using var stt = NewClient(server.WebSocketBase, simulated: false);
        await stt.StartAsync(new SttRecorder(), CancellationToken.None);
        stt.SendAudio([0xFF, 0x7F]);
        stt.EndOfUtterance();
        await seen.WaitAsync(s => s.Contains("commit", StringComparison.Ordinal), "commit");

        Assert.Equal("?intent=transcription", query);
        Assert.Equal("Bearer sk-test", authorization);
        var messages = seen.Snapshot();
        Assert.Equal(3, messages.Count);
        Assert.StartsWith("""{"type":"session.update","session":{"type":"transcription",""", messages[0], StringComparison.Ordinal);
        Assert.Equal("""{"type":"input_audio_buffer.append","audio":"/38="}""", messages[1]);
        Assert.Equal("""{"type":"input_audio_buffer.commit"}""", messages[2]);
    }

    [Fact]
    public async Task Bad_provider_output_is_reported_and_a_closed_socket_is_fatal()
    {
        string[] messages =
        [
            "this is not json",
            """{"type":"error","event_id":"e1","error":{"type":"server_error","code":"server_error","message":"boom"}}""",
            """{"type":"conversation.item.input_audio_transcription.failed","item_id":"i1","content_index":0,"error":{"type":"transcription_error","message":"audio unreadable"}}""",
            """{"type":"error","error":{"type":"invalid_request_error","code":"input_audio_buffer_commit_empty","message":"buffer too small"}}""",
        ];
        var events = await AgainstAsync(messages, abort: false);

        var entries = events.Log.Snapshot();
        Assert.Equal(8, entries.Count);
        Assert.Contains("malformed event skipped: event: malformed JSON", entries[0].Error, StringComparison.Ordinal);
        Assert.Equal("openai transcription: provider error: server_error: boom", entries[1].Error);
        Assert.Equal(("", true), (entries[2].Transcript!.Text, entries[2].Transcript!.IsFinal));
        Assert.Equal("openai transcription: transcription failed: audio unreadable", entries[3].Error);
        Assert.Equal(("", true), (entries[4].Transcript!.Text, entries[4].Transcript!.IsFinal));
        Assert.Equal("openai transcription: provider error: buffer too small", entries[5].Error);
        Assert.Contains("binary message of 3 bytes", entries[6].Error, StringComparison.Ordinal);
        Assert.StartsWith("openai transcription: connection ended", entries[7].Error, StringComparison.Ordinal);
        Assert.Equal([false, false, false, false, false, false, false, true], entries.Select(e => e.Fatal));
    }

    [Fact]
    public async Task A_lost_socket_is_fatal()
    {
        var events = await AgainstAsync([], abort: true);

        var entry = Assert.Single(events.Log.Snapshot(), e => e.Error is not null);
        Assert.True(entry.Fatal);
        Assert.StartsWith("openai transcription: connection ended", entry.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A provider that, once configured, drops the connection (<paramref name="abort"/>) or sends
    /// <paramref name="messages"/> and a binary frame and closes; returns what the client reported up to its fatal error.
    /// </summary>
    private static async Task<SttRecorder> AgainstAsync(string[] messages, bool abort)
    {
        await using var server = await LoopbackServer.StartAsync(app =>
        {
            app.UseWebSockets();
            app.Map(WebHosts.RealtimePath, async ctx =>
            {
                using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
                await socket.ReceiveAsync(new byte[8192], ctx.RequestAborted);
                if (abort)
                {
                    ctx.Abort();
                    return;
                }

                foreach (var message in messages)
                {
                    await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, ctx.RequestAborted);
                }

                await socket.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, ctx.RequestAborted);
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", ctx.RequestAborted);
            });
        });
        var events = new SttRecorder();
        await using var stt = NewClient(server.WebSocketBase, simulated: true);
        await stt.StartAsync(events, CancellationToken.None);
        await events.Log.WaitAsync(e => e.Fatal, "fatal error");
        return events;
    }

    /// <summary>The first utterance of booking-ulaw8k.wav, as the energy VAD finds it, in 20 ms mu-law frames.</summary>
    private static List<byte[]> FirstUtteranceFrames()
    {
        var pcm = WavLoader.Load(RepoPaths.Fixture("booking-ulaw8k.wav")).Samples;
        var (start, end) = EnergyVad.FindSegments(pcm, new VadOptions())[0];
        var frames = new List<byte[]>();
        for (var offset = start; offset + CallClock.FrameSamples <= end; offset += CallClock.FrameSamples)
        {
            var frame = new byte[CallClock.FrameSamples];
            G711.MuLawEncode(pcm.AsSpan((int)offset, CallClock.FrameSamples), frame);
            frames.Add(frame);
        }

        return frames;
    }

    private static OpenAiTranscriptionSpeechToText NewClient(Uri baseUrl, bool simulated) => new(
        new OpenAiTranscriptionOptions { Endpoint = new Uri(baseUrl, WebHosts.RealtimePath), ApiKey = simulated ? null : "sk-test", Simulated = simulated },
        new SystemWebSocketConnector(TimeSpan.Zero, TimeSpan.Zero),
        TimeProvider.System,
        NullLogger<OpenAiTranscriptionSpeechToText>.Instance);
}
