"""wasmtui: which hosts can run this WebAssembly component, and if not, why not?"""

__version__ = "0.1.0"
