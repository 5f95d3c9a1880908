import { describe, expect, it } from 'vitest'
import { RunTree } from './run-tree'

describe('RunTree', () => {
  it('finds the root through any depth of open ancestors', () => {
    const tree = new RunTree()
    expect(tree.start('graph', undefined, 0)).toBe('graph')
    expect(tree.start('node', 'graph', 0)).toBe('graph')
    expect(tree.start('sequence', 'node', 0)).toBe('graph')
    expect(tree.start('model', 'sequence', 0)).toBe('graph')
  })

  it('takes an unknown parent for the root (a handler attached below the root)', () => {
    const tree = new RunTree()
    expect(tree.start('model', 'unseen-node', 0)).toBe('unseen-node')
  })

  it('keeps concurrent trees apart and forgets runs as they end', () => {
    const tree = new RunTree()
    tree.start('a', undefined, 0)
    tree.start('b', undefined, 0)
    expect(tree.start('a-child', 'a', 0)).toBe('a')
    expect(tree.start('b-child', 'b', 0)).toBe('b')
    for (const id of ['a-child', 'a', 'b-child', 'b']) tree.end(id)
    expect(tree.size).toBe(0)
  })

  it('sweeps runs started before a time', () => {
    const tree = new RunTree()
    tree.start('old', undefined, 100)
    tree.start('new', undefined, 200)
    tree.sweep(150)
    expect(tree.size).toBe(1)
    expect(tree.start('child', 'new', 300)).toBe('new')
  })
})
