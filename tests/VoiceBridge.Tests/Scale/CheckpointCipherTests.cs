using System.Security.Cryptography;
using System.Text;
using CsCheck;
using VoiceBridge.Scale;

namespace VoiceBridge.Tests.Scale;

public sealed class CheckpointCipherTests
{
    private static readonly byte[] Key = Enumerable.Range(1, CheckpointCipher.KeyBytes).Select(i => (byte)i).ToArray();
    private static readonly byte[] Json = Encoding.UTF8.GetBytes("""{"callSid":"CA1","turns":[{"text":"my name is Maria Lopez"}]}""");

    [Fact]
    public void A_sealed_checkpoint_opens_for_its_call_and_does_not_show_its_words()
    {
        var cipher = CheckpointCipher.WithKey(Key);

        var sealedBytes = cipher.Seal("CA1", Json);

        Assert.True(cipher.Encrypts);
        Assert.Equal(0x01, sealedBytes[0]);
        Assert.True(sealedBytes.AsSpan().IndexOf("Maria"u8) < 0);
        Assert.True(cipher.TryOpen("CA1", sealedBytes, out var plaintext, out var error), error);
        Assert.Equal(Json, plaintext);
        Assert.NotEqual(sealedBytes, cipher.Seal("CA1", Json));
    }

    [Fact]
    public void Another_call_another_key_or_a_changed_byte_does_not_open_and_says_why()
    {
        var cipher = CheckpointCipher.WithKey(Key);
        var sealedBytes = cipher.Seal("CA1", Json);
        var tampered = sealedBytes.ToArray();
        tampered[^1] ^= 0x40;

        foreach (var (sid, bytes, opener) in new[]
        {
            ("CA2", sealedBytes, cipher),
            ("CA1", sealedBytes, CheckpointCipher.WithKey(RandomNumberGenerator.GetBytes(CheckpointCipher.KeyBytes))),
            ("CA1", tampered, cipher),
        })
        {
            Assert.False(opener.TryOpen(sid, bytes, out var plaintext, out var error));
            Assert.Null(plaintext);
            Assert.Contains("does not authenticate", error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(new byte[0], "empty")]
    [InlineData(new byte[] { 0x01, 1, 2, 3 }, "shorter than the 29-byte header")]
    [InlineData(new byte[] { 0x00, (byte)'{', (byte)'}' }, "stored in plaintext, but this node requires encrypted checkpoints")]
    [InlineData(new byte[] { 0x7f, 0 }, "unknown format byte 0x7f")]
    public void Malformed_records_are_refused_with_the_reason(byte[] record, string reason)
    {
        Assert.False(CheckpointCipher.WithKey(Key).TryOpen("CA1", record, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Plaintext_mode_round_trips_and_refuses_encrypted_records()
    {
        var plain = CheckpointCipher.Plaintext;

        Assert.False(plain.Encrypts);
        Assert.True(plain.TryOpen("CA1", plain.Seal("CA1", Json), out var plaintext, out _));
        Assert.Equal(Json, plaintext);
        Assert.False(plain.TryOpen("CA1", CheckpointCipher.WithKey(Key).Seal("CA1", Json), out _, out var error));
        Assert.Contains("no checkpoint key", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_bytes_never_throw_and_never_open_under_a_key()
    {
        var cipher = CheckpointCipher.WithKey(Key);

        Gen.Byte.Array[0, 300].Sample(bytes => !cipher.TryOpen("CA1", bytes, out var plaintext, out var error) && plaintext is null && error is not null);
    }

    [Theory]
    [InlineData("", "not base64")]
    [InlineData("not base64 at all!", "not base64")]
    [InlineData("AAAA", "is 3 bytes; it must be 32")]
    public void Keys_that_are_not_32_base64_bytes_are_refused_with_how_to_make_one(string text, string reason)
    {
        Assert.False(CheckpointCipher.TryParseKey(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.Contains("openssl rand -base64 32", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_base64_key_of_32_bytes_is_read()
    {
        Assert.True(CheckpointCipher.TryParseKey(" " + Convert.ToBase64String(Key) + "\n", out var key, out var error), error);
        Assert.Equal(Key, key);
    }
}
