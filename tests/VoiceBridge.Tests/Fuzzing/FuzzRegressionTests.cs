using System.Text;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call.Tools;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Cascade.Llm;
using VoiceBridge.Engines.Cascade.Remote;
using VoiceBridge.Engines.Realtime.Protocol;
using VoiceBridge.Faults;
using VoiceBridge.Legs.Twilio;
using VoiceBridge.Media;
using VoiceBridge.Tests.Media;

namespace VoiceBridge.Tests.Fuzzing;

/// <summary>
/// What the fuzzer found (docs/hardening.md): each input once crashed or overran its parser. JSON strings are
/// checked for UTF-8 and escapes only when read, so a lone surrogate escape or an invalid byte inside one
/// threw InvalidOperationException past parsers that caught only JsonException.
/// </summary>
public sealed class FuzzRegressionTests
{
    private const string LoneSurrogate = "\\uD800";

    [Fact]
    public void TwilioInboundRejectsALoneSurrogateInAString()
    {
        var status = TwilioMessageParser.TryParse(Encoding.UTF8.GetBytes("{\"event\":\"stop\",\"streamSid\":\"MZ" + LoneSurrogate + "\",\"stop\":{}}"), new TwilioInboundMessage(), out var error);

        Assert.Equal(TwilioParseStatus.Invalid, status);
        Assert.Contains("malformed JSON string", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TwilioInboundRejectsInvalidUtf8InAString()
    {
        byte[] frame = [.. "{\"event\":\"stop\",\"streamSid\":\"MZ"u8, 0xB0, .. "\",\"stop\":{}}"u8];

        var status = TwilioMessageParser.TryParse(frame, new TwilioInboundMessage(), out var error);

        Assert.Equal(TwilioParseStatus.Invalid, status);
        Assert.Contains("malformed JSON string", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TwilioOutboundRejectsALoneSurrogateInAString()
    {
        var status = TwilioOutboundParser.TryParse(Encoding.UTF8.GetBytes("{\"event\":\"clear\",\"streamSid\":\"MZ" + LoneSurrogate + "\"}"), new TwilioOutboundMessage(), out var error);

        Assert.Equal(TwilioParseStatus.Invalid, status);
        Assert.Contains("malformed JSON string", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ElevenLabsRejectsALoneSurrogateInAnErrorMessage()
    {
        Assert.False(ElevenLabsWire.TryParse(Encoding.UTF8.GetBytes("{\"message\":\"" + LoneSurrogate + "\",\"error\":\"x\"}"), out var message, out var error));
        Assert.Null(message);
        Assert.Contains("malformed JSON string", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ToolArgumentsWithALoneSurrogateNameAreKeptAsTheyCame()
    {
        string arguments = "{\"b\":1,\"" + LoneSurrogate + "\":2}";

        Assert.Equal(arguments, ToolRegistry.CanonicalArguments(arguments));
    }

    [Fact]
    public void ProviderErrorWithALoneSurrogateMessageQuotesTheBody()
    {
        string body = "{\"error\":{\"message\":\"" + LoneSurrogate + "\"}}";

        var failure = ProviderErrors.FromStatus("openai", 400, "Bad Request", body, null, null, new FakeTimeProvider());

        Assert.EndsWith(body, failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1e308")]
    [InlineData("Infinity")]
    [InlineData("86401")]
    public void RetryAfterBeyondADayIsNotUnderstood(string seconds)
    {
        Assert.Null(ProviderErrors.RetryAfter(null, seconds, new FakeTimeProvider()));
        Assert.Null(ProviderErrors.RetryAfter(seconds + "000", null, new FakeTimeProvider()));
    }

    [Fact]
    public void RetryAfterWithinADayIsKept()
    {
        Assert.Equal(TimeSpan.FromDays(1), ProviderErrors.RetryAfter(null, "86400", new FakeTimeProvider()));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), ProviderErrors.RetryAfter("1500", null, new FakeTimeProvider()));
    }

    [Theory]
    [InlineData("primary:close@turn99999999999")]
    [InlineData("primary:close@user1+4294967296")]
    [InlineData("primary:close@2147483648s")]
    public void FaultSpecWithATooLargeNumberIsAFormatError(string spec)
    {
        var e = Assert.Throws<FormatException>(() => FaultSpec.Parse(spec));
        Assert.Contains("is not a number of at most 2147483647", e.Message, StringComparison.Ordinal);
        Assert.False(FaultMatrixFile.Parse(spec, "m").Ok);
    }

    [Fact]
    public void AChainLongerThanTheLimitIsRefusedUpFront()
    {
        // An unclosed cascade of many parts once cost megabytes (gathered by repeated concatenation, quoted in each error).
        string chain = "cascade(stt=open:i" + string.Concat(Enumerable.Repeat(",tts=:i", 600));

        var e = Assert.Throws<FormatException>(() => ChainSpec.Parse(chain));

        Assert.Contains($"at most {ChainSpec.MaxChars}", e.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => ChainSpec.Parse(chain[..ChainSpec.MaxChars]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3999)]
    public void AWavBelowTheLowestRateIsRefused(int rate)
    {
        // A 1 Hz header once made a 1 KB file decode to 140 MB of 8 kHz samples.
        using var directory = new TempDirectory();
        string path = directory.File("slow.wav");
        File.WriteAllBytes(path, WavFiles.Handmade(1, 1, rate, 16, 2, new byte[1200]));

        var e = Assert.Throws<AudioFormatException>(() => WavLoader.Load(path));

        Assert.Contains($"sample rate {rate} Hz (at least {WavLoader.MinSampleRate} Hz)", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AWavAtTheLowestRateIsRead()
    {
        using var directory = new TempDirectory();
        string path = directory.File("low.wav");
        File.WriteAllBytes(path, WavFiles.Handmade(1, 1, WavLoader.MinSampleRate, 16, 2, new byte[800]));

        Assert.Equal(800, WavLoader.Load(path).Samples.Length);
    }

    [Fact]
    public void ARealtimeItemRepeatingItsTranscriptKeyCostsLinearMemory()
    {
        // 5000 "transcript" keys in one content part were joined one by one: 40 MB for a 100 KB event.
        string parts = string.Concat(Enumerable.Repeat("\"transcript\":\"ab\",", 5000));
        byte[] json = Encoding.UTF8.GetBytes("{\"type\":\"response.done\",\"response\":{\"id\":\"r\",\"status\":\"completed\",\"output\":[{\"id\":\"i\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{" + parts + "\"type\":\"output_audio\"}]}]}}");
        var into = new RealtimeServerEvent();
        Assert.True(RealtimeServerParser.TryParse(json, into, out var warmUpError), warmUpError);

        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(RealtimeServerParser.TryParse(json, into, out var error), error);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(string.Concat(Enumerable.Repeat("ab", 5000)), into.Response!.Output[0].Text);
        Assert.InRange(allocated, 0, 20 * json.Length);
    }

    [Fact]
    public void ARealtimeClientItemKeepsEveryTextPartInOrder()
    {
        byte[] json = """{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"he","text":null,"text":"llo"},{"text":" you"}],"content":[{"text":"!"}]}}"""u8.ToArray();
        var into = new RealtimeClientEvent();

        Assert.True(RealtimeClientParser.TryParse(json, into, out var error), error);
        Assert.Equal("hello you!", into.Item!.Text);
    }

    [Fact]
    public void ARealtimeItemRepeatingItsContentCostsLinearMemory()
    {
        // 1400 "content" arrays in one item copied the text gathered so far each time: 26 MB for a 64 KB event.
        string contents = string.Concat(Enumerable.Repeat("\"content\":[{\"type\":\"input_text\",\"text\":\"hello\"}],", 2000));
        byte[] json = Encoding.UTF8.GetBytes("{\"type\":\"conversation.item.create\",\"item\":{" + contents + "\"type\":\"message\",\"role\":\"user\"}}");
        var into = new RealtimeClientEvent();
        Assert.True(RealtimeClientParser.TryParse(json, into, out var warmUpError), warmUpError);

        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(RealtimeClientParser.TryParse(json, into, out var error), error);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(string.Concat(Enumerable.Repeat("hello", 2000)), into.Item!.Text);
        Assert.InRange(allocated, 0, 20 * json.Length);
    }
}
