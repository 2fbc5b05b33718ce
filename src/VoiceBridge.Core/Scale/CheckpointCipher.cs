using System.Security.Cryptography;
using System.Text;

namespace VoiceBridge.Scale;

/// <summary>
/// Seals conversation checkpoints for storage outside the node (docs/scale-out.md, "Encryption"):
/// AES-256-GCM with a random 96-bit nonce per write, the call SID as associated data (a sealed
/// checkpoint moved under another call's key does not open), and a format byte:
/// <c>0x01 | nonce (12) | tag (16) | ciphertext</c>. Without a key (<see cref="Plaintext"/>, only
/// when the operator asked for it) the format byte is <c>0x00</c> followed by the JSON. A cipher
/// with a key refuses plaintext records, so a store cannot downgrade it. Thread-safe.
/// </summary>
public sealed class CheckpointCipher
{
    /// <summary>The key length: AES-256.</summary>
    public const int KeyBytes = 32;

    /// <summary>The largest sealed checkpoint read or written.</summary>
    public const int MaxSealedBytes = 4 * 1024 * 1024;

    private const byte PlaintextFormat = 0x00;
    private const byte AesGcmFormat = 0x01;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int Header = 1 + NonceBytes + TagBytes;

    private readonly byte[]? _key;

    private CheckpointCipher(byte[]? key) => _key = key;

    /// <summary>Checkpoints stored as they are: for a deployment whose store is trusted, and only on request.</summary>
    public static CheckpointCipher Plaintext { get; } = new(null);

    /// <summary>True when checkpoints are encrypted.</summary>
    public bool Encrypts => _key is not null;

    /// <exception cref="ArgumentException">The key is not <see cref="KeyBytes"/> long.</exception>
    public static CheckpointCipher WithKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyBytes)
        {
            throw new ArgumentException($"a checkpoint key is {KeyBytes} bytes, not {key.Length}", nameof(key));
        }

        return new CheckpointCipher(key.ToArray());
    }

    /// <summary>Reads a key written as base64 (44 characters: <c>openssl rand -base64 32</c>); false with the reason otherwise.</summary>
    public static bool TryParseKey(string? text, out byte[] key, out string? error)
    {
        key = [];
        var buffer = new byte[KeyBytes + 3];
        if (string.IsNullOrWhiteSpace(text) || !Convert.TryFromBase64String(text.Trim(), buffer, out var length))
        {
            error = $"the checkpoint key is not base64 (make one with: openssl rand -base64 {KeyBytes})";
            return false;
        }

        if (length != KeyBytes)
        {
            error = $"the checkpoint key is {length} bytes; it must be {KeyBytes} (openssl rand -base64 {KeyBytes})";
            return false;
        }

        key = buffer[..KeyBytes];
        error = null;
        return true;
    }

    /// <summary>The sealed form of <paramref name="plaintext"/> for <paramref name="callSid"/>.</summary>
    /// <exception cref="ArgumentException">The result would be over <see cref="MaxSealedBytes"/>.</exception>
    public byte[] Seal(string callSid, ReadOnlySpan<byte> plaintext)
    {
        if (plaintext.Length + Header > MaxSealedBytes)
        {
            throw new ArgumentException($"a checkpoint of {plaintext.Length} bytes is over {MaxSealedBytes}", nameof(plaintext));
        }

        if (_key is null)
        {
            var raw = new byte[plaintext.Length + 1];
            raw[0] = PlaintextFormat;
            plaintext.CopyTo(raw.AsSpan(1));
            return raw;
        }

        var sealedBytes = new byte[Header + plaintext.Length];
        sealedBytes[0] = AesGcmFormat;
        var nonce = sealedBytes.AsSpan(1, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(Header), sealedBytes.AsSpan(1 + NonceBytes, TagBytes), AssociatedData(callSid));
        return sealedBytes;
    }

    /// <summary>
    /// The plaintext of a sealed checkpoint; false with a message naming what is wrong (unknown
    /// format, truncated, a plaintext record where a key is set, a wrong key, tampered bytes, or
    /// another call's checkpoint). Never throws on the stored bytes.
    /// </summary>
    public bool TryOpen(string callSid, ReadOnlySpan<byte> sealedBytes, out byte[]? plaintext, out string? error)
    {
        plaintext = null;
        error = sealedBytes.Length switch
        {
            0 => "sealed checkpoint: empty",
            > MaxSealedBytes => $"sealed checkpoint: {sealedBytes.Length} bytes is over {MaxSealedBytes}",
            _ => sealedBytes[0] switch
            {
                PlaintextFormat when _key is not null => "sealed checkpoint: stored in plaintext, but this node requires encrypted checkpoints",
                AesGcmFormat when _key is null => "sealed checkpoint: encrypted, but this node has no checkpoint key",
                AesGcmFormat when sealedBytes.Length < Header => $"sealed checkpoint: {sealedBytes.Length} bytes is shorter than the {Header}-byte header",
                PlaintextFormat or AesGcmFormat => null,
                var format => $"sealed checkpoint: unknown format byte 0x{format:x2}",
            },
        };
        if (error is not null)
        {
            return false;
        }

        if (_key is null)
        {
            plaintext = sealedBytes[1..].ToArray();
            return true;
        }

        var output = new byte[sealedBytes.Length - Header];
        try
        {
            using var aes = new AesGcm(_key, TagBytes);
            aes.Decrypt(sealedBytes.Slice(1, NonceBytes), sealedBytes[Header..], sealedBytes.Slice(1 + NonceBytes, TagBytes), output, AssociatedData(callSid));
        }
        catch (AuthenticationTagMismatchException)
        {
            error = "sealed checkpoint: does not authenticate (another key, another call's checkpoint, or altered bytes)";
            return false;
        }

        plaintext = output;
        return true;
    }

    private static byte[] AssociatedData(string callSid) => Encoding.UTF8.GetBytes("voicebridge/checkpoint/v1/" + callSid);
}
